package io.xcomposer.composition.compose;

import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.StoredImage;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.ImageRef;
import io.xcomposer.composition.article.Slot;
import io.xcomposer.composition.article.Usage;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.model.ArticleModel;
import io.xcomposer.composition.model.CompositionPrompts;
import io.xcomposer.composition.model.Generation;
import io.xcomposer.composition.model.ModelAnswers;
import io.xcomposer.composition.model.Step;
import io.xcomposer.composition.retrieval.GalleryHit;
import io.xcomposer.composition.retrieval.RetrievalClient;
import io.xcomposer.inference.client.tensor.Tensor;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The pipeline's steps after writing (seed §3 steps 3–6), shared by the first run and the editing operations:
 * spot, caption one slot, find candidates, select one.
 */
@Component
public class ArticleSteps {

    private final ArticleModel model;

    private final RetrievalClient retrieval;

    private final ImageStore uploads;

    private final CompositionMetrics metrics;

    private final CompositionProperties.MaxTokens maxTokens;

    ArticleSteps(
            ArticleModel model,
            RetrievalClient retrieval,
            ImageStore uploads,
            CompositionMetrics metrics,
            CompositionProperties properties) {
        this.model = model;
        this.retrieval = retrieval;
        this.uploads = uploads;
        this.metrics = metrics;
        this.maxTokens = properties.maxTokens();
    }

    /** The paragraphs to illustrate; {@code count} null lets the model choose how many. */
    public Mono<Costed<List<Integer>>> spot(
            Composition composition, @Nullable Integer count, @Nullable String requestId) {
        List<String> paragraphs = composition.paragraphs();
        int limit = count == null ? paragraphs.size() : Math.min(count, paragraphs.size());
        Mono<Costed<List<Integer>>> spotting = this.model
                .prompts()
                .flatMap(prompts -> this.model.complete(
                        Step.SPOT, prompts.spotPrompt(paragraphs, count), List.of(), this.maxTokens.spot(), requestId))
                .map(answer ->
                        new Costed<>(ModelAnswers.positions(answer.text(), paragraphs.size(), limit), cost(answer)));
        return this.metrics.timed("spot", spotting);
    }

    /** The caption of an image after {@code position}, with the earlier slots' captions as context. */
    public Mono<Costed<String>> caption(Composition composition, int position, @Nullable String requestId) {
        Map<Integer, String> previous = new LinkedHashMap<>();
        composition.slotsBefore(position).forEach(slot -> previous.put(slot.paragraph(), slot.caption()));
        Mono<Costed<String>> captioning = this.model
                .prompts()
                .flatMap(prompts -> this.model.complete(
                        Step.CAPTION,
                        prompts.captionPrompt(composition.paragraphs(), position, previous),
                        List.of(),
                        this.maxTokens.caption(),
                        requestId))
                .map(answer -> new Costed<>(ModelAnswers.caption(answer.text()), cost(answer)));
        return this.metrics.timed("caption", captioning);
    }

    /**
     * As many candidates as the select prompt shows: from retrieval, or from the request's uploaded images when it
     * has some. None of {@code exclude}.
     */
    public Mono<List<ImageRef>> candidates(Composition composition, String caption, Collection<String> exclude) {
        Mono<List<ImageRef>> finding = this.model
                .prompts()
                .map(CompositionPrompts::candidates)
                .flatMap(count -> {
                    if (!composition.userImages().isEmpty()) {
                        return Mono.just(composition.userImages().stream()
                                .filter(id -> !exclude.contains(id))
                                .limit(count)
                                .map(id -> new ImageRef(id, ImageRef.UPLOAD, null, uploadUrl(id), 0))
                                .toList());
                    }
                    return this.retrieval
                            .search(caption, count, exclude)
                            .map(hits -> hits.stream()
                                    .limit(count)
                                    .map(this::galleryImage)
                                    .toList());
                });
        return this.metrics.timed("retrieve", finding);
    }

    /**
     * The model's choice among the slot's candidates (seed step 6): the article up to the slot, each earlier slot's
     * image after its paragraph, then the candidates A–D. An answer that names no candidate falls back to the first,
     * as the seed does, and is counted.
     */
    public Mono<Costed<Selection>> select(Composition composition, Slot slot, @Nullable String requestId) {
        Mono<Costed<Selection>> selecting = this.model.prompts().flatMap(prompts -> {
            if (slot.candidates().size() != prompts.candidates()) {
                return Mono.just(new Costed<>(new Selection(0, Selection.FIRST), Usage.NONE));
            }
            List<Slot> illustrated = composition.slotsBefore(slot.paragraph()).stream()
                    .filter(earlier -> earlier.image() != null)
                    .toList();
            List<ImageRef> shown = Stream.concat(illustrated.stream().map(Slot::image), slot.candidates().stream())
                    .toList();
            String prompt = prompts.selectPrompt(
                    composition.paragraphs(),
                    slot.paragraph(),
                    illustrated.stream().map(Slot::paragraph).toList());
            Mono<List<Tensor>> embeds = Flux.fromIterable(shown)
                    .concatMap(image -> bytes(image).flatMap(content -> this.model.encode(content, requestId)))
                    .collectList();
            return embeds.flatMap(images ->
                            this.model.complete(Step.SELECT, prompt, images, this.maxTokens.select(), requestId))
                    .map(answer -> new Costed<>(
                            choice(answer, prompts.candidates()), cost(answer).plusVision(shown.size())));
        });
        return this.metrics
                .timed("select", selecting)
                .doOnNext(selection -> this.metrics.selected(selection.value().how()));
    }

    /** The image's bytes: from retrieval for gallery images, from the image store for uploads. */
    public Mono<byte[]> bytes(ImageRef image) {
        return ImageRef.UPLOAD.equals(image.source())
                ? this.uploads.get(image.id(), "user_images").map(StoredImage::bytes)
                : this.retrieval.content(image.id());
    }

    /**
     * The public content route of uploaded images (comprehension-service serves the shared image store): Markdown
     * renderers load it without an API key, as they do gallery images.
     */
    public static String uploadUrl(String imageId) {
        return "/v1/images/" + imageId + "/content";
    }

    private static Selection choice(Generation answer, int candidates) {
        return ModelAnswers.letter(answer.text(), candidates).stream()
                .mapToObj(index -> new Selection(index, Selection.MODEL))
                .findFirst()
                .orElse(new Selection(0, Selection.FALLBACK));
    }

    private ImageRef galleryImage(GalleryHit hit) {
        return new ImageRef(hit.id(), ImageRef.GALLERY, hit.caption(), this.retrieval.publicUrl(hit), hit.score());
    }

    private static Usage cost(Generation answer) {
        return Usage.NONE.plusGeneration(answer.promptTokens(), answer.completionTokens());
    }
}
