package io.xcomposer.gateway.stream;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.ErrorBodies;
import io.xcomposer.gateway.error.GatewayException;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

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
    /** How long an event may wait for its log batch: one Lua call per stream per window, not per event. */
    private static final Duration LOG_BATCH_WINDOW = Duration.ofMillis(100);

    private static final long LOG_BATCH_WINDOW_NANOS = LOG_BATCH_WINDOW.toNanos();
    private static final Duration TICK = Duration.ofMillis(20);
    private static final ServerSentEvent<String> PING =
            ServerSentEvent.<String>builder().comment("ping").build();
    private static final String DONE = "[DONE]";
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
        LiveStream stream = new LiveStream(streamId);
        live.put(streamId, stream);
        AtomicLong seq = stream.seq;
        boolean logged = config.resumable();
        AtomicBoolean finished = new AtomicBoolean();
        stream.upstream = dataEvents
                .doOnNext(data -> finished.set(DONE.equals(data)))
                // A stream that ends without [DONE] was cut off, even if the connection closed cleanly.
                .concatWith(
                        Flux.defer(() -> finished.get() ? Flux.empty() : Flux.error(new SseSupport.EndedEarly(DONE))))
                .take(config.maxEvents())
                .onErrorResume(error -> Flux.just(SseSupport.interruptedError("comprehension", error), DONE))
                .doOnNext(data -> {
                    LoggedEvent event = LoggedEvent.data(seq.incrementAndGet(), data);
                    stream.emit(SseSupport.event(event));
                    if (logged) {
                        stream.logBatch.add(event);
                    }
                })
                .then(Mono.defer(() -> stream.logBatch.close(List.of(LoggedEvent.end(seq.incrementAndGet())))))
                .doFinally(signal -> {
                    live.remove(streamId);
                    stream.complete();
                })
                .subscribe();
        return stream.toClient.asFlux().doOnCancel(() -> stream.clientLeft(this));
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
                stream.logBatch.flushIfDue(now);
                if (now - stream.lastEmitNanos >= keepAlive) {
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
        return streamLog.appendAll(streamId, events).onErrorResume(error -> {
            // Redis down: the stream still reaches its client, it just cannot be resumed.
            meters.counter("xcomposer.gateway.redis.failures", "operation", "stream_log")
                    .increment();
            log.debug("Could not log {} events of {}: {}", events.size(), streamId, error.toString());
            return Mono.empty();
        });
    }

    /** One stream this instance is relaying. */
    private final class LiveStream {

        final String id;
        final Sinks.Many<ServerSentEvent<String>> toClient =
                Sinks.many().unicast().onBackpressureBuffer();
        final LogBatch logBatch;
        volatile long lastEmitNanos = System.nanoTime();
        final AtomicInteger readers = new AtomicInteger();
        final AtomicLong seq = new AtomicLong();
        volatile @Nullable Disposable upstream;

        LiveStream(String id) {
            this.id = id;
            this.logBatch = new LogBatch(id);
        }

        /** The relay and the ticker both emit: serialised here (uncontended almost always). */
        synchronized void emit(ServerSentEvent<String> event) {
            lastEmitNanos = System.nanoTime();
            toClient.tryEmitNext(event);
        }

        synchronized void complete() {
            toClient.tryEmitComplete();
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
                    String cancelled = ErrorBodies.json(
                            "The stream was cancelled: no client stayed connected.",
                            "server_error",
                            "stream_cancelled",
                            null);
                    logBatch.close(List.of(
                                    LoggedEvent.data(seq.incrementAndGet(), cancelled),
                                    LoggedEvent.data(seq.incrementAndGet(), DONE),
                                    LoggedEvent.end(seq.incrementAndGet())))
                            .subscribe();
                }
            });
        }
    }

    /**
     * The events of one stream not yet in its Redis log. Written by the ticker (or at close), one batch in flight at a
     * time so the log stays in order; {@link #close} writes what is left plus the closing events and completes when
     * they are logged (or failed to).
     */
    private final class LogBatch {

        private final String streamId;
        private ArrayList<LoggedEvent> pending = new ArrayList<>();
        private boolean inFlight;
        private Sinks.@Nullable Empty<Void> closed;

        LogBatch(String streamId) {
            this.streamId = streamId;
        }

        private long firstPendingNanos;

        synchronized void add(LoggedEvent event) {
            if (pending.isEmpty()) {
                firstPendingNanos = System.nanoTime();
            }
            pending.add(event);
        }

        void flushIfDue(long now) {
            boolean due;
            synchronized (this) {
                due = !pending.isEmpty() && now - firstPendingNanos >= LOG_BATCH_WINDOW_NANOS;
            }
            if (due) {
                flush();
            }
        }

        Mono<Void> close(List<LoggedEvent> last) {
            Sinks.Empty<Void> done;
            synchronized (this) {
                if (closed != null) {
                    return closed.asMono();
                }
                if (config.resumable()) {
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

        void flush() {
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
            logQuietly(streamId, batch).subscribe(null, null, this::written);
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
}
