package io.xcomposer.gateway.web;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.config.GatewayProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Rejects bodies over the route's limit with 413 {@code request_too_large}: early from Content-Length, and while
 * streaming for chunked bodies, so a huge upload is never buffered whole. Chat gets its own (large) limit because
 * base64 images live inside the JSON ({@link EdgePolicy#chatBody}).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
public class BodySizeLimitFilter implements WebFilter {

    private final long chatMax;
    private final long otherMax;

    public BodySizeLimitFilter(GatewayProperties properties) {
        this.chatMax = properties.limits().chatMaxBody().toBytes();
        this.otherMax = properties.limits().maxBody().toBytes();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        long limit = EdgePolicy.of(request.getMethod(), request.getURI().getRawPath())
                        .chatBody()
                ? chatMax
                : otherMax;
        long declared = request.getHeaders().getContentLength();
        if (declared > limit) {
            return Mono.error(tooLarge(limit));
        }
        ServerHttpRequest counted = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                // A count per subscription: a body read again must not inherit the first reading's bytes.
                return Flux.defer(() -> {
                    long[] seen = {0};
                    return super.getBody().handle((buffer, sink) -> {
                        seen[0] += buffer.readableByteCount();
                        if (seen[0] > limit) {
                            DataBufferUtils.release(buffer);
                            sink.error(tooLarge(limit));
                        } else {
                            sink.next(buffer);
                        }
                    });
                });
            }
        };
        return chain.filter(exchange.mutate().request(counted).build());
    }

    private static ApiException tooLarge(long limit) {
        return ApiException.payloadTooLarge(
                "request_too_large",
                "The request body is larger than this endpoint " + "accepts (" + limit
                        + " bytes). Upload images with POST /v1/images and reference their ids instead.",
                null);
    }
}
