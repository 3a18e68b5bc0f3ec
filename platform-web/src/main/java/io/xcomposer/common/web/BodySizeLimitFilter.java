package io.xcomposer.common.web;

import io.xcomposer.common.error.ApiException;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Refuses a request body over {@code xcomposer.web.max-body-size} with 413 {@code request_too_large}: at once when
 * Content-Length declares more, and while reading when a chunked body passes it. Codecs have their own buffer cap,
 * but multipart parts spill to disk without one and handlers that join the raw body have none, so the filter is
 * what holds for every route.
 */
public class BodySizeLimitFilter implements WebFilter, Ordered {

    /** Right after the request id, so the 413 carries one. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

    private final long maxBytes;

    public BodySizeLimitFilter(WebLimitsProperties properties) {
        this.maxBytes = properties.maxBodySize().toBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        if (request.getHeaders().getContentLength() > this.maxBytes) {
            return Mono.error(tooLarge());
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Flux.defer(() -> {
                    long[] seen = {0};
                    return super.getBody().handle((buffer, sink) -> {
                        seen[0] += buffer.readableByteCount();
                        if (seen[0] > BodySizeLimitFilter.this.maxBytes) {
                            DataBufferUtils.release(buffer);
                            sink.error(tooLarge());
                        } else {
                            sink.next(buffer);
                        }
                    });
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    private ApiException tooLarge() {
        return ApiException.payloadTooLarge(
                "request_too_large",
                "The request body is larger than this service accepts (" + this.maxBytes + " bytes).",
                null);
    }
}
