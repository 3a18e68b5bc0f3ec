package io.xcomposer.common.security;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.web.RequestPaths;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Lets only the platform's own callers into a service behind the gateway: with a service token configured, every
 * request but the health probes must carry it, in {@link ServiceToken#HEADER} or as {@code Authorization: Bearer}
 * (metrics scrapers) ({@code 401 invalid_service_token}); without one, only connections
 * from the loopback interface are served ({@code 403 service_token_required}), so a service that an operator
 * exposed by mistake is still not an open API. Runs right after the request id, before anything reads the body.
 */
public class ServiceAuthFilter implements WebFilter, Ordered {

    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 5;

    private final ServiceToken token;

    public ServiceAuthFilter(ServiceToken token) {
        this.token = token;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (isProbe(exchange)) {
            return chain.filter(exchange);
        }
        if (this.token.isConfigured()) {
            if (this.token.matches(exchange.getRequest().getHeaders().getFirst(ServiceToken.HEADER))
                    || this.token.matches(bearer(exchange.getRequest().getHeaders()))) {
                return chain.filter(exchange);
            }
            return Mono.error(new ApiException(
                    HttpStatus.UNAUTHORIZED,
                    ApiException.INVALID_REQUEST,
                    "invalid_service_token",
                    "This is an internal service: call it through the gateway.",
                    null));
        }
        if (isLoopback(exchange.getRequest().getRemoteAddress())) {
            return chain.filter(exchange);
        }
        return Mono.error(new ApiException(
                HttpStatus.FORBIDDEN,
                ApiException.INVALID_REQUEST,
                "service_token_required",
                "This is an internal service: call it through the gateway.",
                null));
    }

    /** Scrapers such as Prometheus send credentials only as {@code Authorization: Bearer}. */
    private static @Nullable String bearer(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim()
                : null;
    }

    private static boolean isProbe(ServerWebExchange exchange) {
        String raw = exchange.getRequest().getURI().getRawPath();
        HttpMethod method = exchange.getRequest().getMethod();
        return (method == HttpMethod.GET || method == HttpMethod.HEAD)
                && RequestPaths.isPlain(raw)
                && (raw.equals("/actuator/health")
                        || raw.equals("/actuator/health/liveness")
                        || raw.equals("/actuator/health/readiness"));
    }

    private static boolean isLoopback(InetSocketAddress remote) {
        return remote != null
                && remote.getAddress() != null
                && remote.getAddress().isLoopbackAddress();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
