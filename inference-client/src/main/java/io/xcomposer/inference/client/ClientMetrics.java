package io.xcomposer.inference.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import java.time.Duration;
import java.util.stream.DoubleStream;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Micrometer meters of the client; every call goes through {@link #timed(String, String, Mono)} or its Flux twin.
 * Model calls are measured under OpenTelemetry's GenAI client conventions ({@code gen_ai.client.*}, attributes
 * {@code gen_ai.operation.name}, {@code gen_ai.request.model}, {@code gen_ai.token.type}, {@code error.type}) with
 * the buckets those conventions advise; every RPC, model call or not, is also timed under {@link #REQUESTS}.
 */
final class ClientMetrics {

    static final String REQUESTS = "inference.client.requests";

    static final String BYTES = "inference.client.bytes";

    static final String OPERATION_DURATION = "gen_ai.client.operation.duration";

    static final String TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";

    static final String TOKEN_USAGE = "gen_ai.client.token.usage";

    static final String OPERATION = "gen_ai.operation.name";

    static final String MODEL = "gen_ai.request.model";

    static final String TOKEN_TYPE = "gen_ai.token.type";

    /** A streamed generation: prompt text (template applied by the caller) in, text deltas out. */
    static final String TEXT_COMPLETION = "text_completion";

    /** A unary ModelInfer (vision encoding, embedding); not one of the conventions' well-known operations. */
    static final String INFER = "infer";

    /** The conventions' advised boundaries, seconds. */
    private static final double[] DURATION_BUCKETS = {
        0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92
    };

    private static final double[] TOKEN_BUCKETS = {
        1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864
    };

    /** Tag value for server-level calls, which address no model. */
    private static final String NO_MODEL = "none";

    private static final String OK = "ok";

    private final MeterRegistry registry;

    private final Counter requestBytes;

    private final Counter responseBytes;

    ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.requestBytes = registry.counter(BYTES, "direction", "request");
        this.responseBytes = registry.counter(BYTES, "direction", "response");
    }

    <T> Mono<T> timed(String rpc, @Nullable String model, Mono<T> call) {
        return Mono.defer(() -> {
            Timer.Sample sample = Timer.start(this.registry);
            return call.doOnSuccess(value -> stop(sample, rpc, model, null))
                    .doOnError(error -> stop(sample, rpc, model, outcome(error)))
                    .doOnCancel(() -> stop(sample, rpc, model, "CANCELLED"));
        });
    }

    <T> Flux<T> timed(String rpc, @Nullable String model, Flux<T> call) {
        return Flux.defer(() -> {
            Timer.Sample sample = Timer.start(this.registry);
            return call.doOnComplete(() -> stop(sample, rpc, model, null))
                    .doOnError(error -> stop(sample, rpc, model, outcome(error)))
                    .doOnCancel(() -> stop(sample, rpc, model, "CANCELLED"));
        });
    }

    void requestSent(long bytes) {
        this.requestBytes.increment(bytes);
    }

    void responseReceived(long bytes) {
        this.responseBytes.increment(bytes);
    }

    void firstToken(String model, Duration sinceStart) {
        Timer.builder(TIME_TO_FIRST_CHUNK)
                .description("From sending a generation to its first streamed response")
                .tags(OPERATION, TEXT_COMPLETION, MODEL, model)
                .serviceLevelObjectives(seconds(DURATION_BUCKETS))
                .register(this.registry)
                .record(sinceStart);
    }

    /** Token counts come from the final chunk, the only one that carries them. */
    void generationFinished(String model, GenerationChunk last) {
        if (last.promptTokens() != null) {
            tokens(model, "input").record(last.promptTokens());
        }
        if (last.completionTokens() != null) {
            tokens(model, "output").record(last.completionTokens());
        }
    }

    private DistributionSummary tokens(String model, String type) {
        return DistributionSummary.builder(TOKEN_USAGE)
                .description("Input and output tokens of a generation, as counted by the model server")
                .tags(OPERATION, TEXT_COMPLETION, MODEL, model, TOKEN_TYPE, type)
                .serviceLevelObjectives(TOKEN_BUCKETS)
                .register(this.registry);
    }

    private void stop(Timer.Sample sample, String rpc, @Nullable String model, @Nullable String error) {
        long nanos = sample.stop(this.registry.timer(
                REQUESTS,
                "model",
                model == null ? NO_MODEL : model,
                "rpc",
                rpc,
                "outcome",
                error == null ? OK : error));
        String operation = operation(rpc);
        if (operation != null && model != null) {
            Tags tags = Tags.of(OPERATION, operation, MODEL, model);
            Timer.builder(OPERATION_DURATION)
                    .description("Duration of a model call, from sending it to its last response")
                    .tags(error == null ? tags : tags.and("error.type", error))
                    .serviceLevelObjectives(seconds(DURATION_BUCKETS))
                    .register(this.registry)
                    .record(Duration.ofNanos(nanos));
        }
    }

    private static @Nullable String operation(String rpc) {
        return switch (rpc) {
            case "ModelStreamInfer" -> TEXT_COMPLETION;
            case "ModelInfer" -> INFER;
            default -> null;
        };
    }

    private static Duration[] seconds(double[] boundaries) {
        return DoubleStream.of(boundaries)
                .mapToObj(value -> Duration.ofNanos(Math.round(value * 1e9)))
                .toArray(Duration[]::new);
    }

    private static String outcome(Throwable error) {
        return error instanceof InferenceException inference
                ? inference.code().name()
                : error.getClass().getSimpleName();
    }
}
