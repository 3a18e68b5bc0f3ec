package io.xcomposer.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The events of one stream not yet in its Redis log. Written by the relay's ticker once the oldest pending event has
 * waited {@code window} (one Lua call per stream per window, not per event), or at close; one batch in flight at a
 * time so the log stays in order. {@link #close} writes what is left plus the closing events and completes when they
 * are logged (or failed to: {@code writer} must not fail, a lost log only costs resumability).
 */
final class StreamLogBatch {

    private final long windowNanos;
    private final boolean resumable;
    private final Function<List<LoggedEvent>, Mono<Void>> writer;
    private ArrayList<LoggedEvent> pending = new ArrayList<>();
    private long firstPendingNanos;
    private boolean inFlight;
    private Sinks.@Nullable Empty<Void> closed;

    /**
     * @param window how long an event may wait for its batch
     * @param resumable whether events are logged at all; off: {@link #close} only completes
     * @param writer appends one batch, in order
     */
    StreamLogBatch(Duration window, boolean resumable, Function<List<LoggedEvent>, Mono<Void>> writer) {
        this.windowNanos = window.toNanos();
        this.resumable = resumable;
        this.writer = writer;
    }

    synchronized void add(LoggedEvent event) {
        if (pending.isEmpty()) {
            firstPendingNanos = System.nanoTime();
        }
        pending.add(event);
    }

    /** Writes the pending events if the oldest has waited the window ({@code now} from {@link System#nanoTime}). */
    void flushIfDue(long now) {
        boolean due;
        synchronized (this) {
            due = !pending.isEmpty() && now - firstPendingNanos >= windowNanos;
        }
        if (due) {
            flush();
        }
    }

    /** Appends {@code last} and writes everything left; completes once written. Later calls get the same answer. */
    Mono<Void> close(List<LoggedEvent> last) {
        Sinks.Empty<Void> done;
        synchronized (this) {
            if (closed != null) {
                return closed.asMono();
            }
            if (resumable) {
                pending.addAll(last);
            } else {
                pending.clear();
            }
            done = Sinks.empty();
            closed = done;
        }
        flush();
        return done.asMono();
    }

    private void flush() {
        List<LoggedEvent> batch;
        synchronized (this) {
            if (inFlight) {
                return;
            }
            if (pending.isEmpty()) {
                if (closed != null) {
                    closed.tryEmitEmpty();
                }
                return;
            }
            batch = pending;
            pending = new ArrayList<>();
            inFlight = true;
        }
        writer.apply(batch).subscribe(null, null, this::written);
    }

    private void written() {
        boolean again;
        synchronized (this) {
            inFlight = false;
            again = closed != null;
        }
        if (again) {
            flush(); // closing: write the rest now rather than on the next tick
        }
    }
}
