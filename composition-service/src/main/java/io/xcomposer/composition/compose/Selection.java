package io.xcomposer.composition.compose;

/**
 * The candidate a slot shows and how it was chosen.
 *
 * @param how {@code model}, {@code fallback} or {@code first} (see {@code Slot.selection})
 */
public record Selection(int index, String how) {

    public static final String MODEL = "model";

    public static final String FALLBACK = "fallback";

    public static final String FIRST = "first";

    public static final String USER = "user";
}
