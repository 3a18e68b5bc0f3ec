package io.xcomposer.comprehension.vision;

import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.common.tracing.Steps;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.comprehension.metrics.ChatMetrics;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.vision.VisionEncoder;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Image → {@code [Q, D]} features for the llm: from the {@link FeatureCache} when it has them, otherwise decoded,
 * validated and preprocessed here (on a worker thread) and run through the {@link VisionEncoder}, then cached.
 */
@Component
public class VisionFeatures {

    private final VisionEncoder encoder;

    private final FeatureCache cache;

    private final ChatMetrics metrics;

    private final ModelSpecsSource specs;

    private final ObservationRegistry observations;

    public VisionFeatures(
            TritonClient client,
            FeatureCache cache,
            ChatMetrics metrics,
            ComprehensionProperties properties,
            ModelSpecsSource specs,
            ObservationRegistry observations) {
        this.encoder = new VisionEncoder(client, properties.visionModel(), properties.visionDeadline());
        this.cache = cache;
        this.metrics = metrics;
        this.specs = specs;
        this.observations = observations;
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
        Mono<Tensor> encoded = image.bytes()
                .publishOn(Schedulers.boundedElastic())
                .map(bytes -> this.specs.preprocessor().preprocess(bytes))
                .flatMap(pixels -> this.encoder.encode(pixels, this.specs.get().visionMaxBatchSize(), requestId));
        return Steps.observe(encoded, "comprehension.vision.encode", this.observations)
                .flatMap(features -> this.cache.put(image.sha256(), features).thenReturn(features));
    }
}
