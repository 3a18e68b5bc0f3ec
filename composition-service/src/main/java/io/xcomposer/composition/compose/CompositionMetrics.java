package io.xcomposer.composition.compose;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.common.tracing.Steps;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * {@code composition.started|completed|failed} counters, {@code composition.running} gauge,
 * {@code composition.selections{how}} and {@code composition.selection.fallbacks} counters,
 * {@code composition.slot.failures{stage}}, and each step observed ({@link Steps}: a span, and the
 * {@code xcomposer.step{step=composition.<step>}} timer);
 * {@code composition.interrupted} (orphans this replica ended), {@code composition.resumed} (orphans it went on
 * with) and {@code composition.abandoned} (runs stopped
 * because this replica lost their lease).
 */
@Component
public class CompositionMetrics {

    private final MeterRegistry registry;

    private final ObservationRegistry observations;

    private final AtomicInteger running = new AtomicInteger();

    CompositionMetrics(MeterRegistry registry, ObservationRegistry observations) {
        this.registry = registry;
        this.observations = observations;
        registry.gauge("composition.running", this.running);
    }

    public void started() {
        this.running.incrementAndGet();
        this.registry.counter("composition.started").increment();
    }

    public void finished(boolean completed) {
        this.running.decrementAndGet();
        this.registry
                .counter(completed ? "composition.completed" : "composition.failed")
                .increment();
    }

    /** An orphan (its replica died) ended with {@code composition_interrupted}. */
    public void interrupted() {
        this.registry.counter("composition.interrupted").increment();
    }

    /** A run of another replica that died, resumed here. */
    public void resumed() {
        this.running.incrementAndGet();
        this.registry.counter("composition.resumed").increment();
    }

    /** A run stopped because this replica lost its lease. */
    public void abandoned() {
        this.running.decrementAndGet();
        this.registry.counter("composition.abandoned").increment();
    }

    public void selected(String how) {
        this.registry.counter("composition.selections", "how", how).increment();
        if (Selection.FALLBACK.equals(how)) {
            fallbacks().increment();
        }
    }

    public Counter fallbacks() {
        return this.registry.counter("composition.selection.fallbacks");
    }

    public void slotFailed(String stage) {
        this.registry.counter("composition.slot.failures", "stage", stage).increment();
    }

    /** {@code work} as step {@code composition.<step>}: its span and its duration. */
    public <T> Mono<T> timed(String step, Mono<T> work) {
        return Steps.observe(work, "composition." + step, this.observations);
    }
}
