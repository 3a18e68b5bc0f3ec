package io.xcomposer.comprehension.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The service's own generation metrics, under vLLM's names and label ({@code model_name}): comprehension is the
 * platform's OpenAI-compatible server, the role vLLM's metrics describe, so dashboards written for vLLM fit.
 * Prometheus names: {@code vllm:time_to_first_token_seconds}, {@code vllm:inter_token_latency_seconds},
 * {@code vllm:e2e_request_latency_seconds} (histograms), {@code vllm:prompt_tokens_total},
 * {@code vllm:generation_tokens_total}, {@code vllm:request_success_total{finished_reason}}; the platform's own
 * {@code request_images}, {@code vision_feature_cache_hits_total}, {@code vision_feature_cache_misses_total}. The
 * flow-control meters ({@code vllm:num_requests_running|waiting}, {@code vllm:request_queue_time_seconds}) live in
 * {@code GenerationLimiter}. Time to first token and e2e latency run from the request's arrival, queue included, as
 * in vLLM.
 */
@Component
public class ChatMetrics {

    static final String MODEL = "model_name";

    private final Timer timeToFirstToken;

    private final Timer interTokenLatency;

    private final Timer e2eLatency;

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
        this.timeToFirstToken = Timer.builder("vllm:time_to_first_token")
                .description("From request arrival to the first generated text")
                .tag(MODEL, this.model)
                .publishPercentileHistogram()
                .register(registry);
        this.interTokenLatency = Timer.builder("vllm:inter_token_latency")
                .description("Between successive streamed text deltas")
                .tag(MODEL, this.model)
                .publishPercentileHistogram()
                .register(registry);
        this.e2eLatency = Timer.builder("vllm:e2e_request_latency")
                .description("From request arrival to the end of the generation")
                .tag(MODEL, this.model)
                .publishPercentileHistogram()
                .register(registry);
        this.promptTokens = Counter.builder("vllm:prompt_tokens")
                .description("Prompt tokens as counted by the model server (images count their image tokens)")
                .tag(MODEL, this.model)
                .register(registry);
        this.generationTokens = Counter.builder("vllm:generation_tokens")
                .description("Completion tokens generated")
                .tag(MODEL, this.model)
                .register(registry);
        this.imagesPerRequest = DistributionSummary.builder("request_images")
                .description("Images in a request's prompt")
                .tag(MODEL, this.model)
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
        this.e2eLatency.record(sinceArrival);
        Counter.builder("vllm:request_success")
                .description("Generations that finished, by why they ended")
                .tag(MODEL, this.model)
                .tag("finished_reason", finishReason)
                .register(this.registry)
                .increment();
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
