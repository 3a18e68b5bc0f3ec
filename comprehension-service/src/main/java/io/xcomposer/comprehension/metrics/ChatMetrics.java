package io.xcomposer.comprehension.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The service's own generation metrics, named like vLLM's ({@code vllm:time_to_first_token_seconds} …) and OTel
 * GenAI's, tagged {@code model}. Prometheus names: {@code time_to_first_token_seconds},
 * {@code inter_token_latency_seconds}, {@code e2e_request_latency_seconds}, {@code prompt_tokens_total},
 * {@code generation_tokens_total}, {@code vision_feature_cache_hits_total}, {@code vision_feature_cache_misses_total};
 * the flow-control meters live in {@code GenerationLimiter}.
 */
@Component
public class ChatMetrics {

    private final Timer timeToFirstToken;

    private final Timer interTokenLatency;

    private final MeterRegistry registry;

    private final String model;

    private final Counter promptTokens;

    private final Counter generationTokens;

    private final DistributionSummary imagesPerRequest;

    private final Counter featureCacheHits;

    private final Counter featureCacheMisses;

    public ChatMetrics(MeterRegistry registry, ComprehensionProperties properties) {
        this.registry = registry;
        this.model = properties.modelName();
        this.timeToFirstToken = Timer.builder("time_to_first_token")
                .description("From request arrival to the first generated text")
                .tag("model", this.model)
                .publishPercentileHistogram()
                .register(registry);
        this.interTokenLatency = Timer.builder("inter_token_latency")
                .description("Between successive streamed text deltas")
                .tag("model", this.model)
                .publishPercentileHistogram()
                .register(registry);
        this.promptTokens = Counter.builder("prompt_tokens")
                .description("Prompt tokens as counted by the model server (images count their image tokens)")
                .tag("model", this.model)
                .register(registry);
        this.generationTokens = Counter.builder("generation_tokens")
                .description("Completion tokens generated")
                .tag("model", this.model)
                .register(registry);
        this.imagesPerRequest = DistributionSummary.builder("request_images")
                .description("Images in a request's prompt")
                .tag("model", this.model)
                .register(registry);
        this.featureCacheHits = Counter.builder("vision_feature_cache_hits")
                .description("Images whose vision features came from the cache")
                .register(registry);
        this.featureCacheMisses = Counter.builder("vision_feature_cache_misses")
                .description("Images that had to go through the vision encoder")
                .register(registry);
    }

    public void firstToken(Duration sinceArrival) {
        this.timeToFirstToken.record(sinceArrival);
    }

    public void interToken(Duration sincePrevious) {
        this.interTokenLatency.record(sincePrevious);
    }

    public void finished(Duration sinceArrival, String finishReason, int prompt, int completion, int images) {
        Timer.builder("e2e_request_latency")
                .description("From request arrival to the end of the generation")
                .tag("model", this.model)
                .tag("finish_reason", finishReason)
                .register(this.registry)
                .record(sinceArrival);
        this.promptTokens.increment(prompt);
        this.generationTokens.increment(completion);
        this.imagesPerRequest.record(images);
    }

    public void featureCacheHit() {
        this.featureCacheHits.increment();
    }

    public void featureCacheMiss() {
        this.featureCacheMisses.increment();
    }
}
