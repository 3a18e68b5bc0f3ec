package io.xcomposer.gateway.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.ErrorBodies;
import io.xcomposer.gateway.error.GatewayException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Relays a downstream event stream to the client while appending every event to the stream's Redis log.
 * <p>
 * The downstream subscription belongs to the gateway, not to the client's connection: when the client leaves, the
 * gateway keeps consuming (and logging) for {@code streams.detached-grace} so a reconnect with
 * {@code Last-Event-ID} gets the rest without generating again; if nobody resumes within the grace, the downstream
 * subscription is cancelled, which closes the HTTP connection and makes comprehension cancel the model stream.
 * The client sees each event before it is logged (no Redis round trip on the hot path); a resume asks for events
 * after the last one it saw, so the order of the two does not matter.
 */
@Component
public class StreamRelay {

    public static final String STREAM_ID_HEADER = "X-Stream-Id";
    private static final Duration LOG_BATCH_WINDOW = Duration.ofMillis(20);
    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

    private final StreamLog streamLog;
    private final GatewayProperties.Streams config;
    private final int maxStreams;
    private final MeterRegistry meters;
    private final Map<String, LiveStream> live = new ConcurrentHashMap<>();

    public StreamRelay(StreamLog streamLog, GatewayProperties properties, MeterRegistry meters) {
        this.streamLog = streamLog;
        this.config = properties.streams();
        this.maxStreams = properties.limits().maxConcurrentStreams();
        this.meters = meters;
        meters.gaugeMapSize("xcomposer.gateway.streams.active", List.of(), live);
    }

    public static String newStreamId() {
        return "strm_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Refuses a new stream when this instance already relays its maximum (503 overloaded, retry soon). */
    public Mono<Void> admit() {
        if (live.size() >= maxStreams) {
            meters.counter("xcomposer.gateway.overload.rejections").increment();
            return Mono.error(GatewayException.unavailable("overloaded",
                    "The gateway is relaying its maximum number of streams; retry shortly.", Duration.ofSeconds(1)));
        }
        return Mono.empty();
    }

    /**
     * Starts relaying {@code dataEvents} (SSE data lines, already filtered) under {@code streamId}.
     *
     * @return the client's view of the stream, with ids and keep-alive comments
     */
    public Flux<ServerSentEvent<String>> start(String streamId, Flux<String> dataEvents) {
        LiveStream stream = new LiveStream(streamId);
        live.put(streamId, stream);
        AtomicLong seq = stream.seq;
        Flux<Integer> relayed = dataEvents
                .take(config.maxEvents())
                .onErrorResume(error -> Flux.just(interruptedError(error), "[DONE]"))
                .map(data -> LoggedEvent.data(seq.incrementAndGet(), data))
                .doOnNext(event -> stream.toClient.tryEmitNext(SseSupport.event(event)))
                // The log is written in small batches (one Lua call each), in order, off the client's path: a slow
                // Redis makes the log lag (bounded by max-events, already applied above), never the client.
                .onBackpressureBuffer()
                .bufferTimeout(64, LOG_BATCH_WINDOW, true)
                .concatMap(batch -> logQuietly(streamId, batch).thenReturn(batch.size()));
        stream.upstream = relayed
                .then(Mono.defer(() -> logQuietly(streamId, List.of(LoggedEvent.end(seq.incrementAndGet())))))
                .doFinally(signal -> {
                    live.remove(streamId);
                    stream.toClient.tryEmitComplete();
                })
                .subscribe();
        Flux<ServerSentEvent<String>> toClient = stream.toClient.asFlux()
                .doOnCancel(() -> stream.clientLeft(this));
        return SseSupport.withKeepAlive(toClient, config.keepAlive());
    }

    /** Marks a resume reader attached to {@code streamId} if this instance relays it; returns the release action. */
    public Runnable attachReader(String streamId) {
        LiveStream stream = live.get(streamId);
        if (stream == null) {
            return () -> { };
        }
        stream.readers.incrementAndGet();
        return () -> {
            if (stream.readers.decrementAndGet() == 0) {
                stream.scheduleDetachedCancel(this);
            }
        };
    }

    public boolean isLive(String streamId) {
        return live.containsKey(streamId);
    }

    private Mono<Void> logQuietly(String streamId, List<LoggedEvent> events) {
        if (!config.resumable()) {
            return Mono.empty();
        }
        return streamLog.appendAll(streamId, events)
                .onErrorResume(error -> {
                    // Redis down: the stream still reaches its client, it just cannot be resumed.
                    meters.counter("xcomposer.gateway.redis.failures", "operation", "stream_log").increment();
                    log.debug("Could not log {} events of {}: {}", events.size(), streamId, error.toString());
                    return Mono.empty();
                });
    }

    private static String interruptedError(Throwable error) {
        log.warn("Downstream stream failed: {}", error.toString());
        String message = error instanceof java.util.concurrent.TimeoutException
                ? "The model stream stalled and was stopped."
                : "The model stream was interrupted.";
        return ErrorBodies.json(message, "server_error", "stream_interrupted", null);
    }

    /** One stream this instance is relaying. */
    private final class LiveStream {

        final String id;
        final Sinks.Many<ServerSentEvent<String>> toClient = Sinks.many().unicast().onBackpressureBuffer();
        final AtomicInteger readers = new AtomicInteger();
        final AtomicLong seq = new AtomicLong();
        volatile @Nullable Disposable upstream;

        LiveStream(String id) {
            this.id = id;
        }

        void clientLeft(StreamRelay relay) {
            meters.counter("xcomposer.gateway.streams.client_disconnects").increment();
            scheduleDetachedCancel(relay);
        }

        void scheduleDetachedCancel(StreamRelay relay) {
            Duration grace = relay.config.detachedGrace();
            Mono.delay(grace).subscribe(tick -> {
                Disposable running = upstream;
                if (readers.get() == 0 && running != null && !running.isDisposed()) {
                    log.info("No client on stream {} for {}; cancelling the downstream", id, grace);
                    meters.counter("xcomposer.gateway.streams.abandoned").increment();
                    running.dispose();
                    live.remove(id);
                    // Close the log so a late resume ends instead of waiting for events that will not come.
                    String cancelled = ErrorBodies.json("The stream was cancelled: no client stayed connected.",
                            "server_error", "stream_cancelled", null);
                    logQuietly(id, List.of(LoggedEvent.data(seq.incrementAndGet(), cancelled),
                            LoggedEvent.data(seq.incrementAndGet(), "[DONE]"), LoggedEvent.end(seq.incrementAndGet())))
                            .subscribe();
                }
            });
        }
    }
}
