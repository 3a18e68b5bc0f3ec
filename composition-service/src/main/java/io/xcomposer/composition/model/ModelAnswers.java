package io.xcomposer.composition.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the model's answers the way the seed demo does. */
public final class ModelAnswers {

    private static final Pattern SEGMENT = Pattern.compile("<Seg(\\d+)>");

    private static final Pattern LEADING_LETTER = Pattern.compile("^\\s*([A-Z])");

    private ModelAnswers() {}

    /** Collapses blank lines, splits on newlines into paragraphs and keeps at most {@code max}. */
    public static List<String> paragraphs(String article, int max) {
        List<String> paragraphs = new ArrayList<>();
        for (String line : article.split("\n")) {
            String text = line.strip();
            if (!text.isEmpty() && paragraphs.size() < max) {
                paragraphs.add(text);
            }
        }
        return paragraphs;
    }

    /**
     * The {@code <SegN>} tags of a spotting answer: distinct, within the article, in article order, at most
     * {@code limit} (the first ones the model named).
     */
    public static List<Integer> positions(String answer, int paragraphCount, int limit) {
        Set<Integer> named = new LinkedHashSet<>();
        Matcher matcher = SEGMENT.matcher(answer);
        while (matcher.find() && named.size() < limit) {
            int position = Integer.parseInt(matcher.group(1));
            if (position < paragraphCount) {
                named.add(position);
            }
        }
        return named.stream().sorted().toList();
    }

    /** A caption answer is the text up to the closing quote (the answer prefix opened it). */
    public static String caption(String answer) {
        int end = answer.length();
        for (char quote : new char[] {'"', '”'}) {
            int at = answer.indexOf(quote);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return answer.substring(0, end).strip();
    }

    /** The candidate a selection answer names by its first letter (A = 0), if it names one of {@code candidates}. */
    public static OptionalInt letter(String answer, int candidates) {
        Matcher matcher = LEADING_LETTER.matcher(answer);
        if (!matcher.find()) {
            return OptionalInt.empty();
        }
        int index = matcher.group(1).charAt(0) - 'A';
        return index < candidates ? OptionalInt.of(index) : OptionalInt.empty();
    }
}
