package io.xcomposer.evaluation.benchmark;

import org.jspecify.annotations.Nullable;

/**
 * What was read from a response.
 *
 * @param value the letter, {@code Yes}/{@code No}, or null when nothing could be read
 * @param method how it was read: {@code letter}, {@code option_text}, {@code yes_no}, {@code text}, or
 *     {@code unparsed}
 */
public record Extraction(@Nullable String value, String method) {

    public static final String UNPARSED = "unparsed";

    public static Extraction unparsed() {
        return new Extraction(null, UNPARSED);
    }

    public boolean parsed() {
        return value != null;
    }
}
