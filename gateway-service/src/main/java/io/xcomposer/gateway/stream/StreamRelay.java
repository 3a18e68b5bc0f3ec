package io.xcomposer.gateway.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Relays a downstream event stream to the client while appending every event to the stream's Redis log.
 * <p>
 * The downstream subscription belongs to the gateway, not to the client's connection: when the client leaves, the
 * gateway keeps consuming (and logging) for {@code streams.detached-grace} so a reconnect with
 * {@code Last-Event-ID} gets the rest without generating again; if nobody resumes within the grace, the downstream
 * subscription is cancelled, which closes the HTTP connection and makes comprehension cancel the model stream.
 * The client sees each event before it is logged (no Redis round trip on the hot path); a resume asks for events
 * after the last one it saw, so the order of the two does not matter. One stream's state is a {@link LiveStream},
 * its pending log events a {@link StreamLogBatch}.
 */
@Component
public class StreamRelay {

    /** How long an event may wait for its log batch: one Lua call per stream per window, not per event. */
    static final Duration LOG_BATCH_WINDOW = Duration.ofMillis(100);

    private static final Duration TICK = Duration.ofMillis(20);
    private static final ServerSentEvent<String> PING =
            ServerSentEvent.<String>builder().comment("ping").build();
    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

    private final StreamLog streamLog;
    private final GatewayProperties.Streams config;
    private final int maxStreams;
    private final MeterRegistry meters;
    private final Map<String, LiveStream> live = new ConcurrentHashMap<>();
    private final Disposable ticker;

    public StreamRelay(StreamLog streamLog, GatewayProperties properties, MeterRegistry meters) {
        this.streamLog = streamLog;
        this.config = properties.streams();
        this.maxStreams = properties.limits().maxConcurrentStreams();
        this.meters = meters;
        meters.gaugeMapSize("xcomposer.gateway.streams.active", List.of(), live);
        long period = TICK.toMillis();
        this.ticker = Schedulers.parallel().schedulePeriodically(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    public static String newStreamId() {
        return "strm_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** Refuses a new stream when this instance already relays its maximum (503 overloaded, retry soon). */
    public Mono<Void> admit() {
        if (live.size() >= maxStreams) {
            meters.counter("xcomposer.gateway.overload.rejections").increment();
            return Mono.error(GatewayException.unavailable(
                    "overloaded",
                    "The gateway is relaying its maximum number of streams; retry shortly.",
                    Duration.ofSeconds(1)));
        }
        return Mono.empty();
    }

    /**
     * Starts relaying {@code dataEvents} (SSE data lines, already filtered) under {@code streamId}.
     * <p>
     * Per event the hot path only numbers the event, hands it to the client's sink and appends it to the stream's
     * pending log batch; the log batches of all streams and the keep-alive pings are driven by one shared ticker
     * (no per-stream timers, no per-event operators or Redis commands).
     *
     * @return the client's view of the stream, with ids and keep-alive comments
     */
    public Flux<ServerSentEvent<String>> start(String streamId, Flux<String> dataEvents) {
        boolean logged = config.resumable();
        LiveStream stream = new LiveStream(
                streamId, new StreamLogBatch(LOG_BATCH_WINDOW, logged, events -> logQuietly(streamId, events)));
        live.put(streamId, stream);
        AtomicBoolean finished = new AtomicBoolean();
        stream.relayFrom(dataEvents
                .doOnNext(data -> finished.set(LiveStream.DONE.equals(data)))
                // A stream that ends without [DONE] was cut off, even if the connection closed cleanly.
                .concatWith(Flux.defer(
                        () -> finished.get() ? Flux.empty() : Flux.error(new SseSupport.EndedEarly(LiveStream.DONE))))
                .take(config.maxEvents())
                .onErrorResume(error -> Flux.just(SseSupport.interruptedError("comprehension", error), LiveStream.DONE))
                .doOnNext(data -> {
                    LoggedEvent event = stream.next(data);
                    stream.emit(SseSupport.event(event));
                    if (logged) {
                        stream.logBatch().add(event);
                    }
                })
                .then(Mono.defer(() -> stream.logBatch().close(List.of(stream.end()))))
                .doFinally(signal -> {
                    live.remove(streamId);
                    stream.complete();
                })
                .subscribe());
        return stream.toClient().doOnCancel(() -> {
            meters.counter("xcomposer.gateway.streams.client_disconnects").increment();
            scheduleDetachedCancel(stream);
        });
    }

    /**
     * One tick of the shared ticker: writes each live stream's pending log batch (one Lua call per stream with
     * events, in order; a stream whose previous batch is still in flight waits for the next tick) and sends
     * {@code : ping} to streams that were quiet for {@code streams.keep-alive}.
     */
    private void tick() {
        try {
            long now = System.nanoTime();
            long keepAlive = config.keepAlive().toNanos();
            for (LiveStream stream : live.values()) {
                stream.logBatch().flushIfDue(now);
                if (stream.quietFor(now, keepAlive)) {
                    stream.emit(PING);
                }
            }
        } catch (RuntimeException e) {
            log.warn("Stream ticker failed: {}", e.toString());
        }
    }

    @PreDestroy
    void stopTicker() {
        ticker.dispose();
    }

    /** Marks a resume reader attached to {@code streamId} if this instance relays it; returns the release action. */
    public Runnable attachReader(String streamId) {
        LiveStream stream = live.get(streamId);
        if (stream == null) {
            return () -> {};
        }
        stream.readerAttached();
        return () -> {
            if (stream.readerLeft()) {
                scheduleDetachedCancel(stream);
            }
        };
    }

    public boolean isLive(String streamId) {
        return live.containsKey(streamId);
    }

    /** After {@code streams.detached-grace}, cancels the downstream of a stream nobody came back to. */
    private void scheduleDetachedCancel(LiveStream stream) {
        Duration grace = config.detachedGrace();
        Mono.delay(grace).subscribe(tick -> {
            if (stream.cancelIfAbandoned()) {
                log.info("No client on stream {} for {}; cancelling the downstream", stream.id(), grace);
                meters.counter("xcomposer.gateway.streams.abandoned").increment();
                live.remove(stream.id());
            }
        });
    }

    private Mono<Void> logQuietly(String streamId, List<LoggedEvent> events) {
        if (!config.resumable()) {
            return Mono.empty();
        }
        return streamLog.appendAll(streamId, events).onErrorResume(error -> {
            // Redis down: the stream still reaches its client, it just cannot be resumed.
            meters.counter("xcomposer.gateway.redis.failures", "operation", "stream_log")
                    .increment();
            log.debug("Could not log {} events of {}: {}", events.size(), streamId, error.toString());
            return Mono.empty();
        });
    }
}
