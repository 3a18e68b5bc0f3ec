package io.xcomposer.inference.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/**
 * Per-model metrics under Triton's names, so dashboards and autoscaling rules written for Triton (e.g. the
 * queue-time HPA rule over {@code nv_inference_queue_duration_us}) need only the {@code _total} suffix that
 * Prometheus' client adds to every counter. Durations are cumulative microsecond counters, as in Triton.
 */
@Component
public class InferenceMetrics {

    public static final String REQUEST_SUCCESS = "nv_inference_request_success";
    public static final String REQUEST_FAILURE = "nv_inference_request_failure";
    public static final String INFERENCE_COUNT = "nv_inference_count";
    public static final String EXEC_COUNT = "nv_inference_exec_count";
    public static final String QUEUE_DURATION = "nv_inference_queue_duration_us";
    public static final String COMPUTE_INFER_DURATION = "nv_inference_compute_infer_duration_us";
    public static final String GENERATED_TOKENS = "nv_inference_generated_tokens";
    public static final String GENERATIONS_IN_FLIGHT = "nv_inference_generations_in_flight";

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> generationsInFlight = new ConcurrentHashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** A request answered successfully; {@code inferences} is its batch size (1 for unbatched models). */
    public void requestSucceeded(String model, String version, long inferences, long queueNanos, long computeNanos) {
        counter(REQUEST_SUCCESS, model, version).increment();
        counter(INFERENCE_COUNT, model, version).increment(inferences);
        counter(QUEUE_DURATION, model, version).increment(TimeUnit.NANOSECONDS.toMicros(queueNanos));
        counter(COMPUTE_INFER_DURATION, model, version).increment(TimeUnit.NANOSECONDS.toMicros(computeNanos));
    }

    public void requestFailed(String model, String version) {
        counter(REQUEST_FAILURE, model, version).increment();
    }

    /** One run of a model's graph; a dynamically batched run serves several requests with one execution. */
    public void executed(String model, String version) {
        counter(EXEC_COUNT, model, version).increment();
    }

    public void tokensGenerated(String model, String version, int tokens) {
        counter(GENERATED_TOKENS, model, version).increment(tokens);
    }

    public void generationStarted(String model) {
        inFlight(model).incrementAndGet();
    }

    public void generationEnded(String model) {
        inFlight(model).decrementAndGet();
    }

    /** Registers the in-flight gauge at 0, so that a scrape before the first generation already shows it. */
    public void registerGenerationModel(String model) {
        inFlight(model);
    }

    private AtomicInteger inFlight(String model) {
        return generationsInFlight.computeIfAbsent(model, name -> {
            AtomicInteger value = new AtomicInteger();
            Gauge.builder(GENERATIONS_IN_FLIGHT, value, AtomicInteger::get)
                    .description("Generations currently decoding")
                    .tag("model", name)
                    .register(registry);
            return value;
        });
    }

    private Counter counter(String name, String model, String version) {
        return Counter.builder(name).tag("model", model).tag("version", version).register(registry);
    }
}
