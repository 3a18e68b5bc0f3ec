package io.xcomposer.evaluation;

import java.util.Set;

/**
 * One held-out record scored. Which fields matter depends on the task: {@code letterCorrect} for the letter-answer
 * tasks, {@code wellFormed} for {@code write}, {@code caption} for {@code caption}; {@code exactMatch} for all but
 * {@code write}.
 */
public record RecordResult(
        HeldOutRecord record,
        Generation generation,
        boolean exactMatch,
        boolean letterCorrect,
        boolean wellFormed,
        CaptionScore caption) {

    /**
     * Tasks answered with a letter (A-D); the expected answer's first character is the letter. {@code option_lookup}
     * is the text-only curriculum task behind the other three (find the option matching a description).
     */
    public static final Set<String> LETTER_TASKS = Set.of("choice", "multi_image", "select", "option_lookup");
}
