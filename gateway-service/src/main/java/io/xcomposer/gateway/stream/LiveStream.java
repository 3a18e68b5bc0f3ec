package io.xcomposer.gateway.stream;

import io.xcomposer.gateway.error.ErrorBodies;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One stream a gateway instance is relaying: the client's sink, the event numbering, its pending log batch, the
 * resume readers attached to it and the downstream subscription, which the gateway owns (not the client's
 * connection).
 */
final class LiveStream {

    static final String DONE = "[DONE]";

    private final String id;
    private final Sinks.Many<ServerSentEvent<String>> toClient =
            Sinks.many().unicast().onBackpressureBuffer();
    private final StreamLogBatch logBatch;
    private final AtomicInteger readers = new AtomicInteger();
    private final AtomicLong seq = new AtomicLong();
    private volatile long lastEmitNanos = System.nanoTime();
    private volatile @Nullable Disposable upstream;

    LiveStream(String id, StreamLogBatch logBatch) {
        this.id = id;
        this.logBatch = logBatch;
    }

    String id() {
        return id;
    }

    StreamLogBatch logBatch() {
        return logBatch;
    }

    Flux<ServerSentEvent<String>> toClient() {
        return toClient.asFlux();
    }

    /** The next event of the stream, numbered. */
    LoggedEvent next(String data) {
        return LoggedEvent.data(seq.incrementAndGet(), data);
    }

    /** The event that ends the stream's log. */
    LoggedEvent end() {
        return LoggedEvent.end(seq.incrementAndGet());
    }

    void relayFrom(Disposable subscription) {
        this.upstream = subscription;
    }

    /** The relay and the ticker both emit: serialised here (uncontended almost always). */
    synchronized void emit(ServerSentEvent<String> event) {
        lastEmitNanos = System.nanoTime();
        toClient.tryEmitNext(event);
    }

    synchronized void complete() {
        toClient.tryEmitComplete();
    }

    /** Whether nothing was sent to the client for {@code nanos} (time for a keep-alive). */
    boolean quietFor(long now, long nanos) {
        return now - lastEmitNanos >= nanos;
    }

    void readerAttached() {
        readers.incrementAndGet();
    }

    /** @return whether that was the last reader */
    boolean readerLeft() {
        return readers.decrementAndGet() == 0;
    }

    /**
     * Cancels the downstream if no client or reader is attached and it is still running, and closes the log with a
     * {@code stream_cancelled} error so a late resume ends instead of waiting for events that will not come.
     *
     * @return whether it cancelled
     */
    boolean cancelIfAbandoned() {
        Disposable running = upstream;
        if (readers.get() != 0 || running == null || running.isDisposed()) {
            return false;
        }
        running.dispose();
        String cancelled = ErrorBodies.json(
                "The stream was cancelled: no client stayed connected.", "server_error", "stream_cancelled", null);
        logBatch.close(List.of(next(cancelled), next(DONE), end())).subscribe();
        return true;
    }
}
