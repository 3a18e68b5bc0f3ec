package io.xcomposer.evaluation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scores a generation against its held-out record, per task. */
public final class RecordScorer {

    // The letter must stand alone ("B", "B." or "B)"), so a sentence starting with "A large ..." is not read as "A".
    private static final Pattern LEADING_LETTER = Pattern.compile("^([A-D])(?:[.)．。:：,，]|$)");

    private RecordScorer() {}

    public static RecordResult score(HeldOutRecord record, Generation generation) {
        String answer = normalised(record, generation.text());
        boolean exact = answer.equals(record.answer().strip());
        String expectedLetter = answerLetter(record.answer().strip());
        boolean letter = RecordResult.LETTER_TASKS.contains(record.task())
                && !expectedLetter.isEmpty()
                && expectedLetter.equals(answerLetter(answer));
        boolean wellFormed = "write".equals(record.task())
                && ArticleCheck.theme(record.prompt(), record.lang())
                        .map(theme -> ArticleCheck.wellFormed(answer, theme, record.lang()))
                        .orElse(false);
        CaptionScore caption = "caption".equals(record.task())
                ? CaptionScore.of(record.truth(), CaptionParser.objects(answer, record.lang()))
                : CaptionScore.NONE;
        return new RecordResult(record, generation, exact, letter, wellFormed, caption);
    }

    /**
     * The answer as the model meant it: trimmed, and for {@code slot_caption} without the closing quote that the
     * prompt's opening {@code 标题是"} calls for (the reference answer omits it).
     */
    static String normalised(HeldOutRecord record, String generated) {
        String text = generated.strip();
        if ("slot_caption".equals(record.task()) && text.endsWith("\"")) {
            text = text.substring(0, text.length() - 1).strip();
        }
        return text;
    }

    /** The stand-alone option letter the trimmed text starts with, or "" when it starts with anything else. */
    static String answerLetter(String text) {
        Matcher m = LEADING_LETTER.matcher(text);
        return m.find() ? m.group(1) : "";
    }
}
