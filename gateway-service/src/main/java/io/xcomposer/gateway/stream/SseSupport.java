package io.xcomposer.gateway.stream;

import java.time.Duration;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Response recipes every SSE endpoint of the gateway shares. */
public final class SseSupport {

    private SseSupport() {
    }

    /**
     * Adds {@code : ping} comments every {@code every} while {@code events} is open, so load balancers with 30-60 s
     * idle timeouts keep the connection during long prefill or queueing. The ticker drops ticks nobody asked for:
     * an interval without backpressure fails on Reactor 3.8 ("Could not emit tick").
     */
    public static Flux<ServerSentEvent<String>> withKeepAlive(Flux<ServerSentEvent<String>> events, Duration every) {
        return events.publish(shared -> Flux.merge(shared,
                Flux.interval(every, every)
                        .onBackpressureDrop()
                        .map(tick -> ServerSentEvent.<String>builder().comment("ping").build())
                        .takeUntilOther(shared.then(Mono.just(Boolean.TRUE)))));
    }

    /** An SSE response that proxies and browsers do not buffer. */
    public static Mono<ServerResponse> respond(Flux<ServerSentEvent<String>> events, String streamId) {
        return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .cacheControl(CacheControl.noCache().noTransform())
                .header("X-Accel-Buffering", "no")
                .header(StreamRelay.STREAM_ID_HEADER, streamId)
                .body(BodyInserters.fromServerSentEvents(events));
    }

    public static ServerSentEvent<String> event(LoggedEvent event) {
        return ServerSentEvent.<String>builder().id(Long.toString(event.seq())).data(event.data()).build();
    }
}
