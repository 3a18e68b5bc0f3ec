package io.xcomposer.composition.editing;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.Slot;
import io.xcomposer.composition.article.Status;
import io.xcomposer.composition.compose.ArticleSteps;
import io.xcomposer.composition.compose.CompositionService;
import io.xcomposer.composition.compose.Journal;
import io.xcomposer.composition.compose.Selection;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.model.ArticleModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The seed demo's editing operations (plus XComposer2's paragraph rewrite) on a completed composition. One edit
 * runs at a time per composition; each saves its changes, emits its events and ends with {@code edit_done}.
 */
@Service
class EditingService {

    private static final Duration EDIT_LOCK = Duration.ofMinutes(2);

    /** The seed's caption when the model writes none for an added image: the paragraph's last 50 characters. */
    private static final int FALLBACK_CAPTION_CHARS = 50;

    private final CompositionService compositions;

    private final CompositionStore store;

    private final ArticleSteps steps;

    private final ArticleModel model;

    private final CompositionProperties properties;

    EditingService(
            CompositionService compositions,
            CompositionStore store,
            ArticleSteps steps,
            ArticleModel model,
            CompositionProperties properties) {
        this.compositions = compositions;
        this.store = store;
        this.steps = steps;
        this.model = model;
        this.properties = properties;
    }

    /** New candidates for an edited caption, excluding the images shown elsewhere; the first is shown. */
    Mono<Composition> search(String id, int paragraph, String caption) {
        return edit(id, "search", journal -> {
            Slot slot = requireSlot(journal.state(), paragraph);
            return retrieveAndShowFirst(journal, slot.withCaption(caption.strip()));
        });
    }

    Mono<Composition> choose(String id, int paragraph, EditRequests.Choose choice) {
        return edit(id, "choose", journal -> {
            Slot slot = requireSlot(journal.state(), paragraph);
            int index = candidateIndex(slot, choice);
            String imageId = slot.candidates().get(index).id();
            if (journal.state().imagesShownExcept(paragraph).contains(imageId)) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        ApiException.INVALID_REQUEST,
                        "image_in_use",
                        "Image " + imageId + " is already shown in another slot of this article.",
                        "candidate");
            }
            return show(journal, slot, index, Selection.USER);
        });
    }

    Mono<Composition> delete(String id, int paragraph) {
        return edit(id, "delete_image", journal -> {
            requireSlot(journal.state(), paragraph);
            return journal.commit(
                    journal.state().withoutSlot(paragraph), "slot_removed", Map.of("paragraph", paragraph));
        });
    }

    /** An image after a paragraph: the model writes its caption (earlier captions as context), retrieval finds it. */
    Mono<Composition> add(String id, int afterParagraph, @Nullable String requestId) {
        return edit(id, "add_image", journal -> {
            Composition current = journal.state();
            requireParagraph(current, afterParagraph);
            if (current.slot(afterParagraph).isPresent()) {
                throw new ApiException(
                        HttpStatus.CONFLICT,
                        ApiException.INVALID_REQUEST,
                        "slot_exists",
                        "Paragraph " + afterParagraph + " already has an image.",
                        "after_paragraph");
            }
            return captionOrFallback(current, afterParagraph, requestId)
                    .flatMap(caption -> retrieveAndShowFirst(journal, Slot.captioned(afterParagraph, caption)));
        });
    }

    /** Re-spots with a fixed count and illustrates every new slot with its first candidate (as the seed does). */
    Mono<Composition> insertImages(String id, int count, @Nullable String requestId) {
        return edit(
                id,
                "insert_images",
                journal -> this.steps
                        .spot(journal.state().withSlots(List.of()), count, requestId)
                        .flatMap(spotted -> journal.commit(
                                        journal.state()
                                                .withSlots(List.of())
                                                .withUsage(usage -> usage.plus(spotted.cost())),
                                        "slots_chosen",
                                        Map.of("paragraphs", spotted.value()))
                                .thenMany(Flux.fromIterable(spotted.value()))
                                .concatMap(position -> captionOrFallback(journal.state(), position, requestId)
                                        .flatMap(caption ->
                                                retrieveAndShowFirst(journal, Slot.captioned(position, caption))))
                                .then()));
    }

    /** Rewrites one paragraph by an instruction; the tiny model was never trained for this. */
    Mono<Composition> rewrite(String id, int paragraph, String instruction, @Nullable String requestId) {
        return edit(id, "rewrite", journal -> {
            requireParagraph(journal.state(), paragraph);
            String prompt = rewritePrompt(journal.state().paragraphs().get(paragraph), instruction.strip());
            StringBuilder text = new StringBuilder();
            long[] tokens = new long[2];
            return this.model
                    .prompts()
                    .flatMapMany(prompts -> this.model.stream(
                            prompts.instructionPrompt(prompt),
                            List.of(),
                            this.properties.maxTokens().rewrite(),
                            requestId))
                    .concatMap(chunk -> {
                        text.append(chunk.textDelta());
                        if (chunk.last()) {
                            tokens[0] = chunk.promptTokens() == null ? 0 : chunk.promptTokens();
                            tokens[1] = chunk.completionTokens() == null ? 0 : chunk.completionTokens();
                        }
                        return chunk.textDelta().isEmpty()
                                ? Mono.empty()
                                : journal.event(
                                        "text_delta", Map.of("paragraph", paragraph, "text", chunk.textDelta()));
                    })
                    .then(Mono.defer(() -> {
                        String rewritten =
                                text.toString().replaceAll("\\s*\n\\s*", " ").strip();
                        if (rewritten.isEmpty()) {
                            return Mono.error(new ApiException(
                                    HttpStatus.BAD_GATEWAY,
                                    ApiException.SERVER_ERROR,
                                    "empty_rewrite",
                                    "The model wrote nothing for this instruction.",
                                    "instruction"));
                        }
                        return journal.commit(
                                journal.state()
                                        .withParagraph(paragraph, rewritten)
                                        .withUsage(usage -> usage.plusGeneration(tokens[0], tokens[1])),
                                "paragraph_done",
                                Map.of("paragraph", paragraph, "text", rewritten));
                    }));
        });
    }

    private Mono<Composition> edit(String id, String operation, Function<Journal, Mono<Void>> change) {
        return this.store.lock(id, EDIT_LOCK).flatMap(locked -> {
            if (!locked) {
                return Mono.error(busy("Another edit of this composition is in progress."));
            }
            return this.compositions
                    .find(id)
                    .flatMap(current -> {
                        if (current.status() != Status.COMPLETED) {
                            return Mono.error(busy("The composition is "
                                    + current.status().wire() + "; only completed compositions can be edited."));
                        }
                        Journal journal = new Journal(this.store, current);
                        return Mono.defer(() -> change.apply(journal))
                                .then(Mono.defer(() -> journal.event("edit_done", Map.of("operation", operation))))
                                .then(Mono.fromSupplier(journal::state));
                    })
                    .doFinally(signal -> this.store.unlock(id).subscribe());
        });
    }

    private Mono<Void> retrieveAndShowFirst(Journal journal, Slot slot) {
        List<String> exclude = journal.state().imagesShownExcept(slot.paragraph());
        return journal.commit(
                        journal.state().withSlot(slot),
                        "slot_caption",
                        Map.of("paragraph", slot.paragraph(), "caption", slot.caption()))
                .then(this.steps.candidates(journal.state(), slot.caption(), exclude))
                .onErrorMap(
                        failure -> !(failure instanceof ApiException),
                        failure -> new ApiException(
                                HttpStatus.BAD_GATEWAY,
                                ApiException.SERVER_ERROR,
                                "retrieval_failed",
                                "Retrieval failed: " + failure.getMessage(),
                                null))
                .flatMap(found -> {
                    if (found.isEmpty()) {
                        return Mono.error(new ApiException(
                                HttpStatus.UNPROCESSABLE_ENTITY,
                                ApiException.INVALID_REQUEST,
                                "no_candidates",
                                "Retrieval found no unused image for this caption.",
                                "caption"));
                    }
                    Slot withCandidates = slot.withCandidates(found);
                    return journal.commit(
                                    journal.state().withSlot(withCandidates),
                                    "candidates",
                                    Map.of("paragraph", slot.paragraph(), "candidates", found))
                            .then(Mono.defer(() -> show(journal, withCandidates, 0, Selection.FIRST)));
                });
    }

    private Mono<Void> show(Journal journal, Slot slot, int index, String how) {
        Slot shown = slot.withChoice(index, how);
        return journal.commit(
                journal.state().withSlot(shown),
                "image_selected",
                Map.of(
                        "paragraph",
                        slot.paragraph(),
                        "candidate",
                        index,
                        "selection",
                        how,
                        "image",
                        shown.candidates().get(index)));
    }

    private Mono<String> captionOrFallback(Composition composition, int position, @Nullable String requestId) {
        String paragraph = composition.paragraphs().get(position);
        String fallback = paragraph.substring(Math.max(0, paragraph.length() - FALLBACK_CAPTION_CHARS));
        return this.steps
                .caption(composition, position, requestId)
                .map(caption -> caption.value().isBlank() ? fallback : caption.value())
                .onErrorReturn(fallback);
    }

    private String rewritePrompt(String paragraph, String instruction) {
        CompositionProperties.Rewrite prompts = this.properties.rewrite();
        String template = switch (instruction) {
            case "expand" -> prompts.expand();
            case "shorten" -> prompts.shorten();
            default -> prompts.other();
        };
        return template.replace("{instruction}", instruction).replace("{paragraph}", paragraph);
    }

    private static int candidateIndex(Slot slot, EditRequests.Choose choice) {
        if (choice.candidate() != null) {
            if (choice.candidate() >= slot.candidates().size()) {
                throw ApiException.badRequest(
                        "invalid_candidate",
                        "The slot has " + slot.candidates().size() + " candidates; candidate " + choice.candidate()
                                + " does not exist.",
                        "candidate");
            }
            return choice.candidate();
        }
        List<String> ids = slot.candidates().stream().map(ImageRef::id).toList();
        int index = choice.imageId() == null ? -1 : ids.indexOf(choice.imageId());
        if (index < 0) {
            throw ApiException.badRequest(
                    "invalid_candidate",
                    "Give 'candidate' (an index) or 'image_id' (one of the slot's candidates).",
                    "image_id");
        }
        return index;
    }

    private static Slot requireSlot(Composition composition, int paragraph) {
        return composition
                .slot(paragraph)
                .orElseThrow(() -> ApiException.notFound(
                        "slot_not_found", "Paragraph " + paragraph + " has no image slot.", "paragraph"));
    }

    private static void requireParagraph(Composition composition, int paragraph) {
        if (paragraph < 0 || paragraph >= composition.paragraphs().size()) {
            throw ApiException.notFound(
                    "paragraph_not_found", "The article has no paragraph " + paragraph + ".", "paragraph");
        }
    }

    private static ApiException busy(String message) {
        return new ApiException(HttpStatus.CONFLICT, ApiException.INVALID_REQUEST, "composition_busy", message, null);
    }
}
