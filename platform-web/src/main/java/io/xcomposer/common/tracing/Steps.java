package io.xcomposer.common.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.observability.micrometer.Micrometer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One observation per step of a request (gateway auth and limits, comprehension's prompt plan, vision encode and
 * generate, composition's steps): a span named for the step, child of the observation in the subscriber's Reactor
 * context (the HTTP server request's), and current for what the step runs, so the model server's gRPC span hangs
 * under it; and one timer family for all steps, {@value #OBSERVATION} tagged {@code step}. Reactor's
 * {@link Micrometer#observation} does the work.
 */
public final class Steps {

    /** The observation (and so the timer) name; Prometheus: {@code xcomposer_step_seconds{step=...}}. */
    public static final String OBSERVATION = "xcomposer.step";

    public static final String STEP = "step";

    private Steps() {}

    /** {@code work} observed as step {@code step}, e.g. {@code "gateway.auth"}. */
    public static <T> Mono<T> observe(Mono<T> work, String step, ObservationRegistry registry) {
        return work.tap(Micrometer.observation(registry, observations -> observation(step, observations)));
    }

    /** {@link #observe(Mono, String, ObservationRegistry)} for a stream: the span ends with the stream. */
    public static <T> Flux<T> observe(Flux<T> work, String step, ObservationRegistry registry) {
        return work.tap(Micrometer.observation(registry, observations -> observation(step, observations)));
    }

    private static Observation observation(String step, ObservationRegistry registry) {
        return Observation.createNotStarted(OBSERVATION, registry)
                .contextualName(step)
                .lowCardinalityKeyValue(STEP, step);
    }
}
