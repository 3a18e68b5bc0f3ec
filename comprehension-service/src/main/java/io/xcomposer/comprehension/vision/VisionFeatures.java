package io.xcomposer.comprehension.vision;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.comprehension.metrics.ChatMetrics;
import io.xcomposer.inference.client.InferRequest;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.client.image.PreprocessedImage;
import io.xcomposer.inference.client.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Image → {@code [Q, D]} features for the llm: from the {@link FeatureCache} when it has them, otherwise decoded,
 * validated and preprocessed here (on a worker thread) and run through the vision encoder, then cached.
 */
@Component
public class VisionFeatures {

    /** The vision encoder's input and output names (docs/model-contract.md). */
    static final String PIXEL_VALUES = "pixel_values";

    private final TritonClient client;

    private final FeatureCache cache;

    private final ChatMetrics metrics;

    private final ComprehensionProperties properties;

    private final ModelSpecsSource specs;

    public VisionFeatures(
            TritonClient client,
            FeatureCache cache,
            ChatMetrics metrics,
            ComprehensionProperties properties,
            ModelSpecsSource specs) {
        this.client = client;
        this.cache = cache;
        this.metrics = metrics;
        this.properties = properties;
        this.specs = specs;
    }

    /** The features of {@code image}; an unusable image fails with an {@code ImageRejectedException}. */
    public Mono<Tensor> features(ImageInput image, @Nullable String requestId) {
        return this.cache
                .get(image.sha256())
                .doOnNext(hit -> this.metrics.featureCacheHit())
                .switchIfEmpty(Mono.defer(() -> {
                    this.metrics.featureCacheMiss();
                    return encode(image, requestId);
                }));
    }

    private Mono<Tensor> encode(ImageInput image, @Nullable String requestId) {
        return image.bytes()
                .publishOn(Schedulers.boundedElastic())
                .map(bytes -> this.specs.preprocessor().preprocess(bytes))
                .flatMap(pixels -> this.client.infer(request(pixels, requestId)))
                .map(result -> result.output(LlmTensors.IMAGE_EMBEDS))
                .flatMap(features -> this.cache.put(image.sha256(), features).thenReturn(features));
    }

    private InferRequest request(PreprocessedImage pixels, @Nullable String requestId) {
        Tensor input = pixels.toTensor(PIXEL_VALUES, this.specs.get().visionMaxBatchSize());
        return new InferRequest(
                this.properties.visionModel(),
                null,
                requestId,
                List.of(input),
                List.of(LlmTensors.IMAGE_EMBEDS),
                Map.of(),
                this.properties.visionDeadline());
    }
}
