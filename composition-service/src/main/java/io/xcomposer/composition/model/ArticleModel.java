package io.xcomposer.composition.model;

import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.generation.GenerationChunk;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.client.tensor.Tensor;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The llm and the vision encoder as composition uses them. What the models need (prompts, chat template, image
 * preprocessing) is read from their {@code ModelConfig} once, at start-up or on first use; a failed read is retried
 * by the next call.
 */
@Component
public class ArticleModel {

    private static final String PIXEL_VALUES = "pixel_values";

    private static final String IMAGE_EMBEDS = "image_embeds";

    private final TritonClient triton;

    private final CompositionProperties properties;

    private final Mono<CompositionPrompts> prompts;

    private final Mono<Vision> vision;

    ArticleModel(TritonClient triton, CompositionProperties properties) {
        this.triton = triton;
        this.properties = properties;
        this.prompts = cacheOnSuccess(triton.modelConfig(properties.llmModel()).map(CompositionPrompts::fromConfig));
        this.vision =
                cacheOnSuccess(triton.modelConfig(properties.visionModel()).map(Vision::of));
    }

    public Mono<CompositionPrompts> prompts() {
        return this.prompts;
    }

    /** The article itself, sampled (the seed's XComposer2 demo samples; greedy decoding repeats itself). */
    public Flux<GenerationChunk> write(String prompt, int maxTokens, long seed, @Nullable String requestId) {
        CompositionProperties.WriteSampling sampling = this.properties.writeSampling();
        return generate(
                prompt,
                null,
                new SamplingParams(
                        maxTokens,
                        sampling.temperature(),
                        sampling.topP(),
                        null,
                        sampling.repetitionPenalty(),
                        seed,
                        List.of()),
                requestId);
    }

    /** Greedy generation, streamed. */
    public Flux<GenerationChunk> stream(
            String prompt, List<Tensor> imageEmbeds, int maxTokens, @Nullable String requestId) {
        Tensor stacked = imageEmbeds.isEmpty() ? null : GenerationRequest.stackImageEmbeds(imageEmbeds);
        return generate(prompt, stacked, SamplingParams.greedy(maxTokens), requestId);
    }

    private Flux<GenerationChunk> generate(
            String prompt, @Nullable Tensor imageEmbeds, SamplingParams sampling, @Nullable String requestId) {
        return this.triton.generate(
                new GenerationRequest(this.properties.llmModel(), prompt, imageEmbeds, sampling, requestId, null));
    }

    /** Greedy generation, collected. */
    public Mono<Generation> complete(
            String prompt, List<Tensor> imageEmbeds, int maxTokens, @Nullable String requestId) {
        return stream(prompt, imageEmbeds, maxTokens, requestId)
                .reduce(
                        new Generation("", 0, 0),
                        (sofar, chunk) -> new Generation(
                                sofar.text() + chunk.textDelta(),
                                chunk.promptTokens() == null ? sofar.promptTokens() : chunk.promptTokens(),
                                chunk.completionTokens() == null
                                        ? sofar.completionTokens()
                                        : chunk.completionTokens()));
    }

    /** The vision encoder's {@code image_embeds} for one image. */
    public Mono<Tensor> encode(byte[] image, @Nullable String requestId) {
        return this.vision.flatMap(spec -> Mono.fromCallable(
                        () -> spec.preprocessor().preprocess(image))
                .subscribeOn(Schedulers.boundedElastic())
                .map(pixels -> pixels.toTensor(PIXEL_VALUES, spec.maxBatchSize()))
                .flatMap(input -> this.triton.infer(new InferRequest(
                        this.properties.visionModel(),
                        null,
                        requestId,
                        List.of(input),
                        List.of(IMAGE_EMBEDS),
                        java.util.Map.of(),
                        null)))
                .map(result -> result.output(IMAGE_EMBEDS)));
    }

    private static <T> Mono<T> cacheOnSuccess(Mono<T> load) {
        return load.cache(value -> Duration.ofMillis(Long.MAX_VALUE), failure -> Duration.ZERO, () -> Duration.ZERO);
    }

    private record Vision(ImagePreprocessor preprocessor, int maxBatchSize) {

        static Vision of(io.xcomposer.inference.grpc.ModelConfig config) {
            return new Vision(
                    new ImagePreprocessor(VisionSpec.fromConfig(config), ImageLimits.defaults()),
                    ModelDescription.of(config).maxBatchSize());
        }
    }
}
