package io.xcomposer.inference.server.generation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.inference.client.generation.TokenLogprob;
import io.xcomposer.inference.server.metrics.InferenceMetrics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted generation seen from outside: its {@code model.generate} step observation (a span under the gRPC call's,
 * hence under the calling service's trace) and the GenAI server metrics of {@link InferenceMetrics}, recorded as
 * its output goes by. Time to first token and request duration run from the request's arrival, queue included, as
 * the conventions define them.
 */
final class ObservedGeneration implements GenerationListener {

    /** The services' step observation (platform-web's {@code Steps}, which this server does not depend on). */
    static final String OBSERVATION = "xcomposer.step";

    static final String STEP = "model.generate";

    private final GenerationListener delegate;
    private final InferenceMetrics metrics;
    private final String model;
    private final long receivedNanos;
    private final Observation observation;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile long firstTokenNanos;

    /** Starts the observation, as a child of the current one (the gRPC server call's, on the call's thread). */
    ObservedGeneration(
            GenerationListener delegate,
            InferenceMetrics metrics,
            ObservationRegistry observations,
            String model,
            long receivedNanos) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.model = model;
        this.receivedNanos = receivedNanos;
        this.observation = Observation.createNotStarted(OBSERVATION, observations)
                .contextualName("text_completion " + model)
                .lowCardinalityKeyValue("step", STEP)
                .lowCardinalityKeyValue("gen_ai.operation.name", "text_completion")
                .lowCardinalityKeyValue("gen_ai.request.model", model)
                .start();
    }

    @Override
    public void onText(String delta) {
        firstToken();
        this.delegate.onText(delta);
    }

    @Override
    public void onText(String delta, List<TokenLogprob> logprobs) {
        firstToken();
        this.delegate.onText(delta, logprobs);
    }

    @Override
    public void onFinished(String text, FinishReason reason, int promptTokens, int completionTokens) {
        finished(reason, promptTokens, completionTokens);
        this.delegate.onFinished(text, reason, promptTokens, completionTokens);
    }

    @Override
    public void onFinished(
            String text, List<TokenLogprob> logprobs, FinishReason reason, int promptTokens, int completionTokens) {
        finished(reason, promptTokens, completionTokens);
        this.delegate.onFinished(text, logprobs, reason, promptTokens, completionTokens);
    }

    private void firstToken() {
        if (this.firstTokenNanos == 0) {
            this.firstTokenNanos = System.nanoTime();
            this.metrics.firstToken(this.model, Duration.ofNanos(this.firstTokenNanos - this.receivedNanos));
            this.observation.event(Observation.Event.of("first_token"));
        }
    }

    private void finished(FinishReason reason, int promptTokens, int completionTokens) {
        long now = System.nanoTime();
        if (this.firstTokenNanos != 0 && completionTokens > 1) {
            this.metrics.timePerOutputToken(
                    this.model, Duration.ofNanos((now - this.firstTokenNanos) / (completionTokens - 1)));
        }
        this.metrics.requestDuration(this.model, Duration.ofNanos(now - this.receivedNanos), null);
        this.observation
                .highCardinalityKeyValue("gen_ai.response.finish_reasons", reason.wireValue())
                .highCardinalityKeyValue("gen_ai.usage.input_tokens", Integer.toString(promptTokens))
                .highCardinalityKeyValue("gen_ai.usage.output_tokens", Integer.toString(completionTokens));
        stop();
    }

    @Override
    public void onFailed(String message) {
        this.metrics.requestDuration(this.model, Duration.ofNanos(System.nanoTime() - this.receivedNanos), "failed");
        this.observation.error(new IllegalStateException(message));
        stop();
        this.delegate.onFailed(message);
    }

    @Override
    public boolean isCancelled() {
        return this.delegate.isCancelled();
    }

    /** The request was refused before it ran (bad input, no free slot): the span ends with the error. */
    void refused(Exception error) {
        this.observation.error(error);
        stop();
    }

    /** Ends the observation if no last call did (idempotent); for the worker's {@code finally}. */
    void stop() {
        if (this.stopped.compareAndSet(false, true)) {
            this.observation.stop();
        }
    }
}
