package io.xcomposer.retrieval.index;

import java.util.PriorityQueue;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** Callers waiting for the index to reach a catalog generation, released in generation order. Thread-safe. */
class GenerationWaiters {

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();

    /** Completes once {@link #releaseUpTo} has been called with {@code generation} or later. */
    Mono<Void> await(long generation) {
        Sinks.Empty<Void> done = Sinks.empty();
        synchronized (this.waiters) {
            this.waiters.add(new Waiter(generation, done));
        }
        return done.asMono();
    }

    /** Releases everyone waiting for {@code applied} or an earlier generation. */
    void releaseUpTo(long applied) {
        synchronized (this.waiters) {
            while (!this.waiters.isEmpty() && this.waiters.peek().generation() <= applied) {
                this.waiters.poll().done().tryEmitEmpty();
            }
        }
    }

    int size() {
        synchronized (this.waiters) {
            return this.waiters.size();
        }
    }

    private record Waiter(long generation, Sinks.Empty<Void> done) implements Comparable<Waiter> {

        @Override
        public int compareTo(Waiter other) {
            return Long.compare(this.generation, other.generation);
        }
    }
}
