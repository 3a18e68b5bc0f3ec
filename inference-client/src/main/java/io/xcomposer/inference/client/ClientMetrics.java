package io.xcomposer.inference.client;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.generation.GenerationChunk;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Micrometer meters of the client; every call goes through {@link #timed(String, String, Mono)} or its Flux twin. */
final class ClientMetrics {

    static final String REQUESTS = "inference.client.requests";

    static final String BYTES = "inference.client.bytes";

    static final String TIME_TO_FIRST_TOKEN = "inference.client.time_to_first_token";

    static final String GENERATED_TOKENS = "inference.client.generated_tokens";

    static final String PROMPT_TOKENS = "inference.client.prompt_tokens";

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
            return call.doOnSuccess(value -> stop(sample, rpc, model, OK))
                    .doOnError(error -> stop(sample, rpc, model, outcome(error)))
                    .doOnCancel(() -> stop(sample, rpc, model, "CANCELLED"));
        });
    }

    <T> Flux<T> timed(String rpc, @Nullable String model, Flux<T> call) {
        return Flux.defer(() -> {
            Timer.Sample sample = Timer.start(this.registry);
            return call.doOnComplete(() -> stop(sample, rpc, model, OK))
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
        this.registry.timer(TIME_TO_FIRST_TOKEN, "model", model).record(sinceStart);
    }

    /** Token counts come from the final chunk, the only one that carries them. */
    void generationFinished(String model, GenerationChunk last) {
        if (last.completionTokens() != null) {
            this.registry.counter(GENERATED_TOKENS, "model", model).increment(last.completionTokens());
        }
        if (last.promptTokens() != null) {
            this.registry.counter(PROMPT_TOKENS, "model", model).increment(last.promptTokens());
        }
    }

    private void stop(Timer.Sample sample, String rpc, @Nullable String model, String outcome) {
        sample.stop(this.registry.timer(
                REQUESTS, "model", model == null ? NO_MODEL : model, "rpc", rpc, "outcome", outcome));
    }

    private static String outcome(Throwable error) {
        return error instanceof InferenceException inference
                ? inference.code().name()
                : error.getClass().getSimpleName();
    }
}
