package io.xcomposer.composition.events;

import io.xcomposer.common.sse.ServerSentEvents;
import io.xcomposer.composition.article.CompositionEvent;
import io.xcomposer.composition.compose.CompositionService;
import io.xcomposer.composition.config.CompositionProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;

/**
 * {@code GET /v1/compositions/{id}/events}: the composition's events as SSE, each with {@code id:} = its sequence
 * number. A client resuming with {@code Last-Event-ID} (or {@code ?after=}) gets every event after it, then the
 * live rest. Disconnecting stops only the reading; the composition runs on.
 */
@RestController
class EventStreamController {

    private final CompositionService compositions;

    private final EventFollower follower;

    private final CompositionProperties properties;

    EventStreamController(CompositionService compositions, EventFollower follower, CompositionProperties properties) {
        this.compositions = compositions;
        this.follower = follower;
        this.properties = properties;
    }

    @GetMapping(path = "/v1/compositions/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> events(
            @PathVariable String id,
            @RequestHeader(name = "Last-Event-ID", required = false) @Nullable Long lastEventId,
            @RequestParam(name = "after", required = false) @Nullable Long after,
            ServerHttpResponse response) {
        response.getHeaders().set("X-Accel-Buffering", "no");
        response.getHeaders().setCacheControl("no-cache");
        long from = lastEventId != null ? lastEventId : after != null ? after : 0;
        return this.compositions
                .find(id)
                .thenMany(Flux.defer(() -> ServerSentEvents.withKeepAlive(
                        this.follower.follow(id, from).map(EventStreamController::toSse),
                        this.properties.keepAlive())));
    }

    private static ServerSentEvent<String> toSse(CompositionEvent event) {
        return ServerSentEvent.builder(event.data())
                .id(Long.toString(event.seq()))
                .event(event.type())
                .build();
    }
}
