package io.xcomposer.gateway.downstream;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A small per-downstream circuit breaker: {@code failureThreshold} consecutive failures open it; while open, calls
 * are refused (503 + Retry-After, no waiting on a dead service); after {@code openFor} one trial call is let through
 * (half-open) and its outcome closes or re-opens it. Lock-free; resilience4j would do the same with far more surface.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final String name;
    private final int failureThreshold;
    private final long openForNanos;
    private final LongSupplier clock;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong openedAt = new AtomicLong(-1);
    private final AtomicInteger trialInFlight = new AtomicInteger();

    public CircuitBreaker(String name, int failureThreshold, Duration openFor, LongSupplier clock) {
        this.name = name;
        this.failureThreshold = failureThreshold;
        this.openForNanos = openFor.toNanos();
        this.clock = clock;
    }

    public CircuitBreaker(String name, int failureThreshold, Duration openFor) {
        this(name, failureThreshold, openFor, System::nanoTime);
    }

    /** Whether a call may go out now; in half-open state only one trial at a time. */
    public boolean tryAcquire() {
        long opened = openedAt.get();
        if (opened < 0) {
            return true;
        }
        if (clock.getAsLong() - opened < openForNanos) {
            return false;
        }
        return trialInFlight.compareAndSet(0, 1);
    }

    public void onSuccess() {
        consecutiveFailures.set(0);
        openedAt.set(-1);
        trialInFlight.set(0);
    }

    public void onFailure() {
        boolean trial = trialInFlight.getAndSet(0) == 1;
        if (trial || consecutiveFailures.incrementAndGet() >= failureThreshold) {
            openedAt.set(clock.getAsLong());
        }
    }

    /** A call that was let through but ended neither way (client cancelled): frees the trial slot. */
    public void onIgnored() {
        trialInFlight.set(0);
    }

    public State state() {
        long opened = openedAt.get();
        if (opened < 0) {
            return State.CLOSED;
        }
        return clock.getAsLong() - opened < openForNanos ? State.OPEN : State.HALF_OPEN;
    }

    public Duration retryAfter() {
        long opened = openedAt.get();
        long left = opened < 0 ? 0 : openForNanos - (clock.getAsLong() - opened);
        return Duration.ofNanos(Math.max(left, 1_000_000_000L));
    }

    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return "CircuitBreaker[" + name + ", " + state() + ", failures=" + consecutiveFailures.get() + "]";
    }
}
