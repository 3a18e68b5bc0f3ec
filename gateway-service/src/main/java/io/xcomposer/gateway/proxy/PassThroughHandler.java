package io.xcomposer.gateway.proxy;

import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.DownstreamStatusException;
import io.xcomposer.gateway.downstream.Forwarding;
import io.xcomposer.gateway.stream.SseSupport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Relays a native endpoint to its downstream under the same path: method, query, body and the headers that matter
 * (content type, accept, Last-Event-ID for composition's own resumable events). The request body is read whole
 * (bounded by the body-size filter) so a call refused before the first byte can be retried; the response streams
 * back unbuffered, SSE included. Composition's event stream survives the death of the replica serving it
 * ({@link ResumingEventStream}).
 */
public final class PassThroughHandler implements HandlerFunction<ServerResponse> {

    private static final ParameterizedTypeReference<DataBuffer> BYTES = new ParameterizedTypeReference<>() {};
    private static final List<String> REQUEST_HEADERS = List.of(
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.ACCEPT,
            "Last-Event-ID",
            HttpHeaders.IF_NONE_MATCH,
            HttpHeaders.IF_MODIFIED_SINCE);
    private static final List<String> RESPONSE_HEADERS = List.of(
            HttpHeaders.CONTENT_TYPE,
            HttpHeaders.CONTENT_LENGTH,
            HttpHeaders.CONTENT_DISPOSITION,
            HttpHeaders.CACHE_CONTROL,
            HttpHeaders.ETAG,
            HttpHeaders.LAST_MODIFIED,
            HttpHeaders.LOCATION,
            HttpHeaders.RETRY_AFTER);

    private final Downstream downstream;

    public PassThroughHandler(Downstream downstream) {
        this.downstream = downstream;
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request) {
        String target = request.exchange().getRequest().getURI().getRawPath()
                + (request.exchange().getRequest().getURI().getRawQuery() == null
                        ? ""
                        : "?" + request.exchange().getRequest().getURI().getRawQuery());
        Consumer<HttpHeaders> headers = Forwarding.baseHeaders(request.exchange())
                .andThen(out -> REQUEST_HEADERS.forEach(name -> {
                    List<String> values = request.headers().header(name);
                    if (!values.isEmpty()) {
                        out.put(name, values);
                    }
                }));
        boolean resumable = ResumingEventStream.applies(
                request.method(), request.exchange().getRequest().getURI().getRawPath());
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class))
                .map(PassThroughHandler::bytes)
                .defaultIfEmpty(new byte[0])
                .flatMap(body -> downstream.exchange(request.method(), target, headers, body, BYTES))
                .flatMap(entity -> respond(
                        entity,
                        resumable
                                ? events -> ResumingEventStream.relay(
                                        downstream,
                                        target,
                                        headers,
                                        request.headers().asHttpHeaders(),
                                        events)
                                : this::endingWithAnErrorEvent))
                .onErrorResume(DownstreamStatusException.class, Forwarding::relayError);
    }

    /** {@code relaySse} turns the downstream's event stream into the client's; other bodies go on as they are. */
    private Mono<ServerResponse> respond(
            ResponseEntity<Flux<DataBuffer>> entity, UnaryOperator<Flux<DataBuffer>> relaySse) {
        MediaType type = entity.getHeaders().getContentType();
        boolean sse = type != null && MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type);
        ServerResponse.BodyBuilder response = ServerResponse.status(entity.getStatusCode())
                .headers(out -> RESPONSE_HEADERS.forEach(name -> {
                    List<String> values = entity.getHeaders().get(name);
                    if (values != null) {
                        out.put(name, values);
                    }
                }));
        if (sse) {
            response.cacheControl(CacheControl.noCache().noTransform()).header("X-Accel-Buffering", "no");
        }
        Flux<DataBuffer> body = entity.getBody() == null ? Flux.empty() : entity.getBody();
        return response.body(BodyInserters.fromDataBuffers(
                sse ? relaySse.apply(body) : body.timeout(downstream.http().requestTimeout())));
    }

    /**
     * An event stream of a route that cannot be resumed ({@link ResumingEventStream} serves composition's events)
     * that breaks off (the downstream died, or went quiet past the idle timeout) ends with an {@code error} event
     * and a proper end of the response, instead of a reset connection the client cannot tell from a network fault. The events are relayed as raw bytes; should the break fall inside an event, a blank
     * line first closes that event, so the error event is never merged into it.
     */
    private Flux<DataBuffer> endingWithAnErrorEvent(Flux<DataBuffer> body) {
        AtomicBoolean atBoundary = new AtomicBoolean(true);
        return body.timeout(downstream.http().idleTimeout())
                .doOnNext(buffer -> atBoundary.set(endsAnEvent(buffer)))
                .onErrorResume(error -> Mono.fromSupplier(() -> {
                    String event = (atBoundary.get() ? "" : "\n\n") + "event: error\ndata: "
                            + SseSupport.interruptedError(downstream.name(), error) + "\n\n";
                    return DefaultDataBufferFactory.sharedInstance.wrap(event.getBytes(StandardCharsets.UTF_8));
                }));
    }

    private static boolean endsAnEvent(DataBuffer buffer) {
        int end = buffer.writePosition();
        int length = end - buffer.readPosition();
        if (length < 2) {
            return false;
        }
        byte last = buffer.getByte(end - 1);
        byte before = buffer.getByte(end - 2);
        return (last == '\n' && (before == '\n' || length >= 4 && before == '\r' && buffer.getByte(end - 3) == '\n'))
                || (last == '\r' && before == '\r');
    }

    private static byte[] bytes(DataBuffer buffer) {
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return bytes;
    }
}
