package io.xcomposer.inference.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.DoubleStream;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Per-model metrics under Triton's names, so dashboards and autoscaling rules written for Triton (e.g. the
 * queue-time HPA rule over {@code nv_inference_queue_duration_us}) need only the {@code _total} suffix that
 * Prometheus' client adds to every counter. Durations are cumulative microsecond counters, as in Triton.
 *
 * <p>Generations are also measured under OpenTelemetry's GenAI model-server conventions
 * ({@code gen_ai.server.time_to_first_token}, {@code gen_ai.server.time_per_output_token},
 * {@code gen_ai.server.request.duration}; attributes {@code gen_ai.operation.name}, {@code gen_ai.request.model},
 * {@code error.type}), histograms with the buckets those conventions advise.
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
    public static final String TIME_TO_FIRST_TOKEN = "gen_ai.server.time_to_first_token";
    public static final String TIME_PER_OUTPUT_TOKEN = "gen_ai.server.time_per_output_token";
    public static final String REQUEST_DURATION = "gen_ai.server.request.duration";

    private static final double[] TTFT_BUCKETS = {
        0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0
    };
    private static final double[] TPOT_BUCKETS = {
        0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5
    };
    private static final double[] DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };

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

    /** From the request's arrival to its first text delta. */
    public void firstToken(String model, Duration sinceArrival) {
        genAiTimer(TIME_TO_FIRST_TOKEN, "Time to generate the first token", model, TTFT_BUCKETS)
                .record(sinceArrival);
    }

    /** Mean time per token after the first, of one successful generation. */
    public void timePerOutputToken(String model, Duration perToken) {
        genAiTimer(TIME_PER_OUTPUT_TOKEN, "Time per output token after the first", model, TPOT_BUCKETS)
                .record(perToken);
    }

    /** From the request's arrival to its last response; {@code errorType} null for a generation that ran. */
    public void requestDuration(String model, Duration sinceArrival, @Nullable String errorType) {
        Timer.Builder builder = Timer.builder(REQUEST_DURATION)
                .description("Generation duration, from arrival to the last output token")
                .tags(genAiTags(model))
                .serviceLevelObjectives(seconds(DURATION_BUCKETS));
        if (errorType != null) {
            builder.tag("error.type", errorType);
        }
        builder.register(registry).record(sinceArrival);
    }

    private Timer genAiTimer(String name, String description, String model, double[] buckets) {
        return Timer.builder(name)
                .description(description)
                .tags(genAiTags(model))
                .serviceLevelObjectives(seconds(buckets))
                .register(registry);
    }

    private static Tags genAiTags(String model) {
        return Tags.of("gen_ai.operation.name", "text_completion", "gen_ai.request.model", model);
    }

    private static Duration[] seconds(double[] boundaries) {
        return DoubleStream.of(boundaries)
                .mapToObj(value -> Duration.ofNanos(Math.round(value * 1e9)))
                .toArray(Duration[]::new);
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
