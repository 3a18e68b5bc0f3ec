package io.xcomposer.composition.article;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The whole state of one composition, stored as one JSON document in Redis.
 *
 * @param imageCount the requested image count; null = the model decides (the seed's "auto")
 * @param userImages ids of uploaded images to illustrate with instead of retrieval (empty = retrieval)
 * @param seed the sampling seed of the written article: the same title, settings and seed write the same article
 * @param slots image positions, in paragraph order
 * @param error why the composition failed
 * @param written whether the write step finished (the paragraphs are the whole article)
 * @param spotted the image positions the spot step chose; null until it has. With {@code written}, what lets
 * another replica resume a run whose replica died
 */
public record Composition(
        String id,
        String title,
        String language,
        @Nullable Integer imageCount,
        boolean select,
        int maxParagraphs,
        List<String> userImages,
        long seed,
        Status status,
        List<String> paragraphs,
        List<Slot> slots,
        Usage usage,
        @Nullable StepError error,
        Instant createdAt,
        Instant updatedAt,
        boolean written,
        @Nullable List<Integer> spotted) {

    public Composition {
        spotted = spotted == null ? null : List.copyOf(spotted);
        userImages = List.copyOf(userImages);
        paragraphs = List.copyOf(paragraphs);
        slots = slots.stream().sorted(Comparator.comparingInt(Slot::paragraph)).toList();
    }

    public static Composition start(
            String id,
            String title,
            String language,
            @Nullable Integer imageCount,
            boolean select,
            int maxParagraphs,
            List<String> userImages,
            long seed) {
        Instant now = Instant.now();
        return new Composition(
                id,
                title,
                language,
                imageCount,
                select,
                maxParagraphs,
                userImages,
                seed,
                Status.RUNNING,
                List.of(),
                List.of(),
                Usage.NONE,
                null,
                now,
                now,
                false,
                null);
    }

    public Optional<Slot> slot(int paragraph) {
        return this.slots.stream().filter(slot -> slot.paragraph() == paragraph).findFirst();
    }

    /** Ids of the images shown in slots other than {@code paragraph}. */
    public List<String> imagesShownExcept(int paragraph) {
        return this.slots.stream()
                .filter(slot -> slot.paragraph() != paragraph)
                .map(Slot::image)
                .filter(Objects::nonNull)
                .map(ImageRef::id)
                .toList();
    }

    /** Captions of the slots before {@code paragraph}, in article order: the context of the caption prompt. */
    public List<Slot> slotsBefore(int paragraph) {
        return this.slots.stream().filter(slot -> slot.paragraph() < paragraph).toList();
    }

    public Composition withParagraphs(List<String> texts) {
        return copy(this.status, texts, this.slots, this.usage, this.error);
    }

    public Composition withParagraph(int index, String text) {
        List<String> texts = new ArrayList<>(this.paragraphs);
        texts.set(index, text);
        return withParagraphs(texts);
    }

    public Composition withSlots(List<Slot> all) {
        return copy(this.status, this.paragraphs, all, this.usage, this.error);
    }

    /** Replaces the slot at the same paragraph, or adds it. */
    public Composition withSlot(Slot changed) {
        List<Slot> all = new ArrayList<>(this.slots);
        all.removeIf(slot -> slot.paragraph() == changed.paragraph());
        all.add(changed);
        return withSlots(all);
    }

    public Composition withoutSlot(int paragraph) {
        return withSlots(this.slots.stream()
                .filter(slot -> slot.paragraph() != paragraph)
                .toList());
    }

    public Composition withUsage(UnaryOperator<Usage> change) {
        return copy(this.status, this.paragraphs, this.slots, change.apply(this.usage), this.error);
    }

    /** The write step finished: the paragraphs are the whole article. */
    public Composition withWritten() {
        return new Composition(
                this.id,
                this.title,
                this.language,
                this.imageCount,
                this.select,
                this.maxParagraphs,
                this.userImages,
                this.seed,
                this.status,
                this.paragraphs,
                this.slots,
                this.usage,
                this.error,
                this.createdAt,
                Instant.now(),
                true,
                this.spotted);
    }

    public Composition withSpotted(List<Integer> positions) {
        return new Composition(
                this.id,
                this.title,
                this.language,
                this.imageCount,
                this.select,
                this.maxParagraphs,
                this.userImages,
                this.seed,
                this.status,
                this.paragraphs,
                this.slots,
                this.usage,
                this.error,
                this.createdAt,
                Instant.now(),
                this.written,
                positions);
    }

    public Composition completed() {
        return copy(Status.COMPLETED, this.paragraphs, this.slots, this.usage, null);
    }

    public Composition failed(StepError failure) {
        return copy(Status.FAILED, this.paragraphs, this.slots, this.usage, failure);
    }

    private Composition copy(
            Status newStatus,
            List<String> newParagraphs,
            List<Slot> newSlots,
            Usage newUsage,
            @Nullable StepError newError) {
        return new Composition(
                this.id,
                this.title,
                this.language,
                this.imageCount,
                this.select,
                this.maxParagraphs,
                this.userImages,
                this.seed,
                newStatus,
                newParagraphs,
                newSlots,
                newUsage,
                newError,
                this.createdAt,
                Instant.now(),
                this.written,
                this.spotted);
    }
}
