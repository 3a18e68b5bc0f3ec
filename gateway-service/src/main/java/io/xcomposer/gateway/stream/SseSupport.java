package io.xcomposer.gateway.stream;

import io.xcomposer.gateway.error.ErrorBodies;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Response recipes every SSE endpoint of the gateway shares. */
public final class SseSupport {

    /** The code of the error event that replaces the rest of a downstream stream that broke off. */
    public static final String INTERRUPTED = "upstream_stream_interrupted";
    /** The response header that names a resumable stream (for {@code GET /v1/streams/{id}}). */
    public static final String STREAM_ID_HEADER = "X-Stream-Id";

    private static final Logger log = LoggerFactory.getLogger(SseSupport.class);

    private SseSupport() {}

    /**
     * The {@code data} of the error event a client gets when the {@code service}'s stream broke off before its
     * terminal event (connection closed, stalled past the idle timeout, or ended early), in the platform's error
     * shape, which OpenAI clients read as a stream error. Logged at WARN: a downstream going away is an operational
     * event the gateway handles, not a gateway bug.
     */
    public static String interruptedError(String service, Throwable error) {
        log.warn("The {} stream broke off: {}", service, error.toString());
        if (error instanceof TimeoutException) {
            return ErrorBodies.json(
                    "The " + service + " stream stalled and was stopped.", "server_error", INTERRUPTED, null);
        }
        if (error instanceof EndedEarly || hasCause(error, IOException.class)) {
            return ErrorBodies.json(
                    "The " + service + " service's stream ended before it finished.",
                    "server_error",
                    INTERRUPTED,
                    null);
        }
        return ErrorBodies.json("The " + service + " stream was interrupted.", "server_error", INTERRUPTED, null);
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /** A downstream stream that completed without its terminal event (a clean close at the wrong time). */
    public static final class EndedEarly extends RuntimeException {

        public EndedEarly(String terminal) {
            super("the stream ended without " + terminal);
        }
    }

    /**
     * Adds {@code : ping} comments every {@code every} while {@code events} is open, so load balancers with 30-60 s
     * idle timeouts keep the connection during long prefill or queueing. The ticker drops ticks nobody asked for:
     * an interval without backpressure fails on Reactor 3.8 ("Could not emit tick").
     */
    public static Flux<ServerSentEvent<String>> withKeepAlive(Flux<ServerSentEvent<String>> events, Duration every) {
        return events.publish(shared -> Flux.merge(
                shared,
                Flux.interval(every, every)
                        .onBackpressureDrop()
                        .map(tick -> ServerSentEvent.<String>builder()
                                .comment("ping")
                                .build())
                        .takeUntilOther(shared.then(Mono.just(Boolean.TRUE)))));
    }

    /** An SSE response that proxies and browsers do not buffer. */
    public static Mono<ServerResponse> respond(Flux<ServerSentEvent<String>> events, String streamId) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .cacheControl(CacheControl.noCache().noTransform())
                .header("X-Accel-Buffering", "no")
                .header(STREAM_ID_HEADER, streamId)
                .body(BodyInserters.fromServerSentEvents(events));
    }

    public static ServerSentEvent<String> event(LoggedEvent event) {
        return ServerSentEvent.<String>builder()
                .id(Long.toString(event.seq()))
                .data(event.data())
                .build();
    }
}
