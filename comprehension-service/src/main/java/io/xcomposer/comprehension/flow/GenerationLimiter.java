package io.xcomposer.comprehension.flow;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ComprehensionProperties;
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
 * <p>
 * The slots are a Resilience4j {@link Bulkhead}. The queue in front of it stays here because the bulkhead cannot
 * express it: its semaphore either refuses at once ({@code tryAcquirePermission}, which is all its Reactor operator
 * does) or parks the calling thread for up to {@code maxWaitDuration} — not allowed on an event loop, and with no cap
 * on how many wait. Its thread-pool variant has a capped queue but runs the work on its own threads, which does not
 * fit a stream that lasts as long as a generation. A released slot goes straight to the oldest waiter, so a new
 * request never overtakes the queue.
 */
@Component
public class GenerationLimiter {

    private final FlowControlProperties properties;

    private final Deque<Waiter> waiting = new ArrayDeque<>();

    private final Timer queueTime;

    private final Bulkhead slots;

    /** Meters under vLLM's names and label ({@code model_name}), so dashboards written for vLLM fit. */
    public GenerationLimiter(
            FlowControlProperties properties, MeterRegistry registry, ComprehensionProperties comprehension) {
        String model = comprehension.modelName();
        this.properties = properties;
        this.slots = Bulkhead.of(
                "generation",
                BulkheadConfig.custom()
                        .maxConcurrentCalls(properties.maxConcurrent())
                        .maxWaitDuration(Duration.ZERO)
                        .build());
        this.queueTime = Timer.builder("vllm:request_queue_time")
                .description("Time a chat request waited for a generation slot")
                .tag("model_name", model)
                .publishPercentileHistogram()
                .register(registry);
        Gauge.builder("vllm:num_requests_running", this, GenerationLimiter::running)
                .description("Generations streaming from the model server")
                .tag("model_name", model)
                .register(registry);
        Gauge.builder("vllm:num_requests_waiting", this, GenerationLimiter::waiting)
                .description("Chat requests waiting for a generation slot")
                .tag("model_name", model)
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

    int running() {
        return this.properties.maxConcurrent() - this.slots.getMetrics().getAvailableConcurrentCalls();
    }

    synchronized int waiting() {
        return this.waiting.size();
    }

    private void admit(Waiter waiter) {
        boolean granted;
        synchronized (this) {
            // Only when nobody waits: a free slot with a queue is about to be handed to the queue's head.
            granted = this.waiting.isEmpty() && this.slots.tryAcquirePermission();
            if (!granted && this.waiting.size() >= this.properties.maxQueued()) {
                waiter.sink.error(ApiException.unavailable(
                        this.properties.retryAfter(),
                        "The service is at capacity (" + this.properties.maxConcurrent() + " generations running, "
                                + this.properties.maxQueued() + " waiting); retry later."));
                return;
            }
            if (!granted) {
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
                this.slots.onComplete();
                return;
            }
            // The slot passes to the next waiter without going back to the bulkhead.
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
