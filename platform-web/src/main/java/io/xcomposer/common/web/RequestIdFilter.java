package io.xcomposer.common.web;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request an id: a sane incoming {@code X-Request-Id} is kept, anything else is replaced by a new one.
 * The id goes on the response, into the exchange attributes and into the Reactor context under
 * {@link RequestId#KEY}, from where context propagation copies it into the logging MDC (see
 * {@code PlatformWebAutoConfiguration}) and services pass it to downstream calls.
 */
public class RequestIdFilter implements WebFilter, Ordered {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String requestId =
                RequestId.acceptOrGenerate(exchange.getRequest().getHeaders().getFirst(RequestId.HEADER));
        exchange.getAttributes().put(RequestId.KEY, requestId);
        exchange.getResponse().getHeaders().set(RequestId.HEADER, requestId);
        return chain.filter(exchange).contextWrite(context -> context.put(RequestId.KEY, requestId));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
