package io.xcomposer.composition.article;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An image position: after paragraph {@code paragraph}.
 *
 * @param caption what the image should show (written by the model, or edited)
 * @param candidates what retrieval offered for the caption
 * @param chosen index of the shown candidate; null while none is chosen or when the slot failed
 * @param selection how it was chosen: {@code model}, {@code fallback} (the model's answer named no candidate, so
 * the first is used, as in the seed), {@code first} (selection off or not applicable), {@code user}
 * @param error why the slot has no image
 */
public record Slot(
        int paragraph,
        String caption,
        List<ImageRef> candidates,
        @Nullable Integer chosen,
        @Nullable String selection,
        @Nullable StepError error) {

    public Slot {
        candidates = List.copyOf(candidates);
    }

    public static Slot captioned(int paragraph, String caption) {
        return new Slot(paragraph, caption, List.of(), null, null, null);
    }

    public @Nullable ImageRef image() {
        return this.chosen == null ? null : this.candidates.get(this.chosen);
    }

    public Slot withCandidates(List<ImageRef> found) {
        return new Slot(this.paragraph, this.caption, found, null, null, null);
    }

    public Slot withChoice(int index, String how) {
        return new Slot(this.paragraph, this.caption, this.candidates, index, how, null);
    }

    public Slot withError(StepError failure) {
        return new Slot(this.paragraph, this.caption, this.candidates, null, null, failure);
    }

    public Slot withCaption(String text) {
        return new Slot(this.paragraph, text, List.of(), null, null, null);
    }
}
