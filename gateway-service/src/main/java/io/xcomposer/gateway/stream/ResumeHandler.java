package io.xcomposer.gateway.stream;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.auth.ApiKey;
import io.xcomposer.gateway.auth.ApiKeyFilter;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.ErrorBodies;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/streams/{stream_id}} with {@code Last-Event-ID: n} (or {@code ?last_event_id=n}; none = from the
 * start): replays the logged events after {@code n}, then follows the log until the stream ends. Works on any
 * gateway instance, because it reads only Redis; only the key that started a stream may resume it (others get 404,
 * which does not reveal that the id exists).
 */
@Component
public class ResumeHandler {

    private static final int BATCH = 256;

    private final StreamLog streamLog;
    private final StreamRelay relay;
    private final GatewayProperties.Streams config;
    private final Duration idleTimeout;

    public ResumeHandler(StreamLog streamLog, StreamRelay relay, GatewayProperties properties) {
        this.streamLog = streamLog;
        this.relay = relay;
        this.config = properties.streams();
        this.idleTimeout = properties.http().idleTimeout();
    }

    public Mono<ServerResponse> resume(ServerRequest request) {
        String streamId = request.pathVariable("streamId");
        ApiKey key = ApiKeyFilter.keyOf(request.exchange());
        long after = lastEventId(request);
        return streamLog
                .owner(streamId)
                .filter(owner -> owner.equals(key.id()))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(
                        "stream_not_found", "No stream " + streamId + " (it may have expired).", null)))
                .flatMap(owner -> {
                    Runnable release = relay.attachReader(streamId);
                    Flux<ServerSentEvent<String>> events =
                            follow(streamId, after).map(SseSupport::event).doFinally(signal -> release.run());
                    return SseSupport.respond(SseSupport.withKeepAlive(events, config.keepAlive()), streamId);
                });
    }

    /**
     * Polls the log flatly ({@code repeat}, not recursion, so a long stream does not nest subscribers) until the end
     * marker; gives up with an error event if nothing new arrives within the idle timeout (the relaying gateway died).
     */
    Flux<LoggedEvent> follow(String streamId, long after) {
        AtomicLong cursor = new AtomicLong(after);
        AtomicBoolean ended = new AtomicBoolean();
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        Mono<List<LoggedEvent>> poll = Mono.defer(() -> streamLog
                .range(streamId, cursor.get() + 1, BATCH)
                .collectList()
                .flatMap(batch ->
                        batch.isEmpty() ? Mono.delay(config.resumePoll()).thenReturn(batch) : Mono.just(batch)));
        return poll.map(batch -> advance(batch, cursor, ended, lastProgress))
                .repeat(() -> !ended.get())
                .concatMapIterable(batch -> batch);
    }

    private List<LoggedEvent> advance(
            List<LoggedEvent> batch, AtomicLong cursor, AtomicBoolean ended, AtomicLong lastProgress) {
        if (batch.isEmpty()) {
            if (System.nanoTime() - lastProgress.get() > idleTimeout.toNanos()) {
                ended.set(true);
                String error = ErrorBodies.json(
                        "The stream stopped without finishing.", "server_error", SseSupport.INTERRUPTED, null);
                return List.of(LoggedEvent.data(cursor.get() + 1, error), LoggedEvent.data(cursor.get() + 2, "[DONE]"));
            }
            return batch;
        }
        lastProgress.set(System.nanoTime());
        cursor.set(batch.get(batch.size() - 1).seq());
        if (batch.get(batch.size() - 1).end()) {
            ended.set(true);
            return batch.subList(0, batch.size() - 1);
        }
        return batch;
    }

    private static long lastEventId(ServerRequest request) {
        String value = request.headers().firstHeader("Last-Event-ID");
        if (value == null) {
            value = request.queryParam("last_event_id").orElse("0");
        }
        try {
            return Math.max(0, Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(
                    "invalid_last_event_id", "Last-Event-ID must be an event id number.", "Last-Event-ID");
        }
    }
}
