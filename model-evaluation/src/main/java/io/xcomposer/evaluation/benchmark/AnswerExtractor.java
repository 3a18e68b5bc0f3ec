package io.xcomposer.evaluation.benchmark;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the answer out of free-form model output, in the order the harness documents (docs/evaluation.md):
 *
 * <ol>
 *   <li><b>letter</b>: an explicit answer phrase ("The answer is B", "Answer: (B)", "答案是B", "选B"), else the
 *       response opening with a stand-alone option letter ("B", "B.", "(B)", "B) red"), else exactly one distinct
 *       stand-alone letter of the valid options anywhere in the response ("A" or "I" followed by a lower-case word
 *       is the English article or pronoun, not a letter);
 *   <li><b>option text</b>: exactly one option's text occurs in the response (case- and width-insensitive); an
 *       option whose text lies inside another matching option's text ("top" in "top left") yields to it;
 *   <li>otherwise <b>unparsed</b>: counted as wrong, and counted separately in every report.
 * </ol>
 *
 * The same order as VLMEvalKit's exact-matching stage (letter, then option content), without its LLM judge: a
 * judge would make scores depend on a second model.
 */
public final class AnswerExtractor {

    public static final String LETTERS = "ABCDEFGHI";

    private static final Pattern ANSWER_PHRASE = Pattern.compile(
            "(?:answer\\s*(?:is|:)?|option\\s*(?:is|:)?|答案\\s*(?:是|为|：|:)?|选项?\\s*(?:是|为)?)\\s*[(（\\[]?\\s*([A-I])(?![A-Za-z])",
            Pattern.CASE_INSENSITIVE);

    private static final Pattern LEADING_LETTER = Pattern.compile("^[\\s*\"'“(（\\[]*([A-I])(?![A-Za-z])");

    private static final Pattern LONE_LETTER = Pattern.compile("(?<![A-Za-z])([A-I])(?![A-Za-z])");

    private AnswerExtractor() {}

    /** The option letter a response picks among {@code options} (A, B, ... in order; empty: letters A–D). */
    public static Extraction option(String response, List<String> options) {
        int count = options.isEmpty() ? 4 : options.size();
        String valid = LETTERS.substring(0, count);
        String text = Normalizer.normalize(response, Normalizer.Form.NFKC).strip();
        String letter = letter(text, valid);
        if (letter != null) {
            return new Extraction(letter, "letter");
        }
        String byText = optionByText(text, options);
        return byText == null ? Extraction.unparsed() : new Extraction(byText, "option_text");
    }

    /**
     * Yes or no, as VLMEvalKit reads MME answers (the words "yes" and "no", exactly one of them present), plus
     * Chinese forms: 没有 / 不是 / 否 / 不 read as no, a response opening with 有 / 是 / 对 as yes.
     */
    public static Extraction yesNo(String response) {
        String text =
                Normalizer.normalize(response, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
        Set<String> words = new LinkedHashSet<>(List.of(text.split("[^a-z]+")));
        boolean yes = words.contains("yes");
        boolean no = words.contains("no");
        if (yes != no) {
            return new Extraction(yes ? "Yes" : "No", "yes_no");
        }
        if (!yes && (text.startsWith("没有") || text.startsWith("不") || text.startsWith("否"))) {
            return new Extraction("No", "yes_no");
        }
        if (!yes && (text.startsWith("有") || text.startsWith("是") || text.startsWith("对"))) {
            return new Extraction("Yes", "yes_no");
        }
        return Extraction.unparsed();
    }

    /** Text normalised for comparison: NFKC, lower case, no surrounding whitespace or final punctuation. */
    public static String normalise(String text) {
        String n = Normalizer.normalize(text, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
        return n.replaceAll("[\\s.。!！?？,，;；:：\"'”“]+$", "").replaceAll("\\s+", " ");
    }

    private static String letter(String text, String valid) {
        Matcher phrase = ANSWER_PHRASE.matcher(text);
        while (phrase.find()) {
            String letter = phrase.group(1).toUpperCase(Locale.ROOT);
            if (valid.contains(letter) && phrase.group(1).equals(letter)) {
                return letter;
            }
        }
        Matcher leading = LEADING_LETTER.matcher(text);
        if (leading.find() && valid.contains(leading.group(1)) && !isWord(text, leading)) {
            return leading.group(1);
        }
        Set<String> lone = new LinkedHashSet<>();
        Matcher any = LONE_LETTER.matcher(text);
        while (any.find()) {
            if (valid.contains(any.group(1)) && !isWord(text, any)) {
                lone.add(any.group(1));
            }
        }
        return lone.size() == 1 ? lone.iterator().next() : null;
    }

    /** "A large circle", "I think": the article or pronoun, not an option letter, when a lower-case word follows. */
    private static boolean isWord(String text, Matcher letter) {
        String found = letter.group(1);
        return (found.equals("A") || found.equals("I"))
                && text.substring(letter.end(1)).matches("(?s)\\s+\\p{Ll}.*");
    }

    private static String optionByText(String text, List<String> options) {
        String haystack = normalise(text);
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            String option = normalise(options.get(i));
            if (!option.isEmpty() && haystack.contains(option)) {
                matching.add(i);
            }
        }
        List<Integer> outermost = matching.stream()
                .filter(i -> matching.stream()
                        .noneMatch(j -> !j.equals(i)
                                && normalise(options.get(j)).contains(normalise(options.get(i)))
                                && !normalise(options.get(j)).equals(normalise(options.get(i)))))
                .toList();
        return outermost.size() == 1 ? String.valueOf(LETTERS.charAt(outermost.get(0))) : null;
    }
}
