package io.xcomposer.comprehension.flow;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.FlowControlProperties;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Bounded concurrency with a bounded FIFO queue in front of the model server. {@link #acquire()} emits a
 * {@link Permit} when a slot is free; it fails with 503 (and {@code Retry-After}) when the queue is full or the wait
 * passes the queue timeout. A permit that is never delivered (the caller cancelled) is handed back automatically.
 */
@Component
public class GenerationLimiter {

    private final FlowControlProperties properties;

    private final Deque<Waiter> waiting = new ArrayDeque<>();

    private final Timer queueTime;

    private int running;

    public GenerationLimiter(FlowControlProperties properties, MeterRegistry registry) {
        this.properties = properties;
        this.queueTime = Timer.builder("request_queue_time")
                .description("Time a chat request waited for a generation slot")
                .register(registry);
        Gauge.builder("num_requests_running", this, GenerationLimiter::running)
                .description("Generations streaming from the model server")
                .register(registry);
        Gauge.builder("num_requests_waiting", this, GenerationLimiter::waiting)
                .description("Chat requests waiting for a generation slot")
                .register(registry);
    }

    /** A slot for one generation; release it exactly when the generation ends (release is idempotent). */
    public Mono<Permit> acquire() {
        return Mono.<Permit>create(sink -> admit(new Waiter(sink, System.nanoTime())))
                .doOnDiscard(Permit.class, Permit::release)
                .timeout(this.properties.queueTimeout())
                .onErrorMap(
                        TimeoutException.class,
                        timedOut -> ApiException.unavailable(
                                this.properties.retryAfter(),
                                "All generation slots stayed busy for "
                                        + this.properties.queueTimeout().toSeconds() + " s; retry later."));
    }

    synchronized int running() {
        return this.running;
    }

    synchronized int waiting() {
        return this.waiting.size();
    }

    private void admit(Waiter waiter) {
        boolean granted;
        synchronized (this) {
            granted = this.running < this.properties.maxConcurrent();
            if (granted) {
                this.running++;
            } else if (this.waiting.size() >= this.properties.maxQueued()) {
                waiter.sink.error(ApiException.unavailable(
                        this.properties.retryAfter(),
                        "The service is at capacity (" + this.properties.maxConcurrent() + " generations running, "
                                + this.properties.maxQueued() + " waiting); retry later."));
                return;
            } else {
                this.waiting.addLast(waiter);
                waiter.sink.onCancel(() -> abandon(waiter));
            }
        }
        if (granted) {
            deliver(waiter);
        }
    }

    private synchronized void abandon(Waiter waiter) {
        this.waiting.remove(waiter);
    }

    private void release() {
        Waiter next;
        synchronized (this) {
            next = this.waiting.pollFirst();
            if (next == null) {
                this.running--;
                return;
            }
        }
        deliver(next);
    }

    private void deliver(Waiter waiter) {
        this.queueTime.record(Duration.ofNanos(System.nanoTime() - waiter.queuedAt));
        waiter.sink.success(new Permit(this));
    }

    private record Waiter(MonoSink<Permit> sink, long queuedAt) {}

    /** One generation slot. */
    public static final class Permit {

        private final GenerationLimiter limiter;

        private final AtomicBoolean released = new AtomicBoolean();

        private Permit(GenerationLimiter limiter) {
            this.limiter = limiter;
        }

        public void release() {
            if (this.released.compareAndSet(false, true)) {
                this.limiter.release();
            }
        }
    }
}
