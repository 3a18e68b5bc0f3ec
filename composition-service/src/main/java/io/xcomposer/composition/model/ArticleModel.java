package io.xcomposer.composition.model;

import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.vision.VisionEncoder;
import io.xcomposer.inference.client.vision.VisionModel;
import io.xcomposer.inference.grpc.ModelConfig;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The llm and the vision encoder as composition uses them. What the models need (prompts, per-step generation
 * settings, chat template, image preprocessing) is read from their {@code ModelConfig} once, at start-up or on first
 * use; a failed read is retried by the next call.
 */
@Component
public class ArticleModel {

    private final TritonClient triton;

    private final CompositionProperties properties;

    private final VisionEncoder encoder;

    private final Mono<CompositionPrompts> prompts;

    private final Mono<GenerationSteps> steps;

    private final Mono<VisionModel> vision;

    ArticleModel(TritonClient triton, CompositionProperties properties) {
        this.triton = triton;
        this.properties = properties;
        this.encoder = new VisionEncoder(triton, properties.visionModel(), null);
        Mono<ModelConfig> llm = cacheOnSuccess(triton.modelConfig(properties.llmModel()));
        this.prompts = cacheOnSuccess(llm.map(CompositionPrompts::fromConfig));
        this.steps = cacheOnSuccess(llm.map(GenerationSteps::fromConfig));
        this.vision = cacheOnSuccess(triton.modelConfig(properties.visionModel())
                .map(config -> VisionModel.fromConfig(config, ImageLimits.defaults())));
    }

    public Mono<CompositionPrompts> prompts() {
        return this.prompts;
    }

    /**
     * The article itself: sampled (the seed's XComposer2 demo samples; greedy decoding repeats itself) unless the
     * model's {@code composition.generation} asks for beams, as XComposer-7B's seed demo does.
     */
    public Flux<GenerationChunk> write(String prompt, int maxTokens, long seed, @Nullable String requestId) {
        CompositionProperties.WriteSampling sampling = this.properties.writeSampling();
        SamplingParams sampled = new SamplingParams(
                maxTokens,
                sampling.temperature(),
                sampling.topP(),
                null,
                sampling.repetitionPenalty(),
                seed,
                List.of(),
                null,
                null);
        return this.steps.flatMapMany(
                steps -> generate(prompt, null, steps.of(Step.WRITE).applyTo(sampled), requestId));
    }

    /** Greedy generation, streamed (the rewrite operation, which has no seed settings). */
    public Flux<GenerationChunk> stream(
            String prompt, List<Tensor> imageEmbeds, int maxTokens, @Nullable String requestId) {
        Tensor stacked = imageEmbeds.isEmpty() ? null : ImageEmbeds.stack(imageEmbeds);
        return generate(prompt, stacked, SamplingParams.greedy(maxTokens), requestId);
    }

    private Flux<GenerationChunk> generate(
            String prompt, @Nullable Tensor imageEmbeds, SamplingParams sampling, @Nullable String requestId) {
        return this.triton.generate(
                new GenerationRequest(this.properties.llmModel(), prompt, imageEmbeds, sampling, requestId, null));
    }

    /** One step's answer, collected: greedy unless the model's settings for the step say otherwise. */
    public Mono<Generation> complete(
            Step step, String prompt, List<Tensor> imageEmbeds, int maxTokens, @Nullable String requestId) {
        Tensor stacked = imageEmbeds.isEmpty() ? null : ImageEmbeds.stack(imageEmbeds);
        return this.steps
                .flatMapMany(steps ->
                        generate(prompt, stacked, steps.of(step).applyTo(SamplingParams.greedy(maxTokens)), requestId))
                .reduce(
                        new Generation("", 0, 0),
                        (sofar, chunk) -> new Generation(
                                sofar.text() + chunk.textDelta(),
                                chunk.promptTokens() == null ? sofar.promptTokens() : chunk.promptTokens(),
                                chunk.completionTokens() == null
                                        ? sofar.completionTokens()
                                        : chunk.completionTokens()));
    }

    /** The vision encoder's {@code [Q, D]} image_embeds for one image. */
    public Mono<Tensor> encode(byte[] image, @Nullable String requestId) {
        return this.vision.flatMap(
                model -> Mono.fromCallable(() -> model.preprocessor().preprocess(image))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(pixels -> this.encoder.encode(pixels, model.maxBatchSize(), requestId)));
    }

    private static <T> Mono<T> cacheOnSuccess(Mono<T> load) {
        return load.cache(value -> Duration.ofMillis(Long.MAX_VALUE), failure -> Duration.ZERO, () -> Duration.ZERO);
    }
}
