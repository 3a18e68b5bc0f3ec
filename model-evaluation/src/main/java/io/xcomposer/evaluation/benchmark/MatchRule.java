package io.xcomposer.evaluation.benchmark;

/** How a response is compared with an item's answer. */
public enum MatchRule {
    /** An option letter, extracted with {@link AnswerExtractor#option}. */
    LETTER,
    /** Yes or no, extracted with {@link AnswerExtractor#yesNo}. */
    YES_NO,
    /** The whole answer, case-insensitive, without surrounding whitespace and final punctuation. */
    EXACT,
    /** The answer is a regular expression that must occur in the response. */
    PATTERN
}
