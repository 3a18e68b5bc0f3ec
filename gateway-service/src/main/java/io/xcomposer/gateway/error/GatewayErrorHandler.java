package io.xcomposer.gateway.error;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.channel.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * The one place where failures become responses, for handlers and filters alike: every error leaves the gateway in
 * OpenAI's shape, with {@code Retry-After} on 429/503. Runs before Boot's default handler (order -2).
 */
@Component
@Order(-3)
public class GatewayErrorHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayErrorHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        GatewayException e = toGatewayException(error);
        if (e.status().is5xxServerError() && !(error instanceof GatewayException)) {
            log.error("Unexpected failure on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
                    error);
        }
        response.setStatusCode(e.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        e.headers().forEach(headers::set);
        if (e.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(e.retryAfter())));
        }
        DataBuffer body = response.bufferFactory().wrap(ErrorBodies.json(e).getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(body));
    }

    /** Retry-After is whole seconds, at least 1 (OpenAPI spec: integer >= 1). */
    public static long retryAfterSeconds(Duration wait) {
        return Math.max(1, (long) Math.ceil(wait.toMillis() / 1000.0));
    }

    static GatewayException toGatewayException(Throwable error) {
        if (error instanceof GatewayException e) {
            return e;
        }
        if (hasCause(error, DataBufferLimitException.class)) {
            return GatewayException.tooLarge("The request body is larger than this endpoint accepts.");
        }
        if (hasCause(error, ConnectTimeoutException.class) || hasCause(error, java.net.ConnectException.class)) {
            return GatewayException.unavailable("upstream_unavailable", "A downstream service is unreachable.",
                    Duration.ofSeconds(2));
        }
        if (error instanceof ResponseStatusException status) {
            HttpStatus httpStatus = HttpStatus.resolve(status.getStatusCode().value());
            HttpStatus resolved = httpStatus == null ? HttpStatus.INTERNAL_SERVER_ERROR : httpStatus;
            String message = status.getReason() != null ? status.getReason() : resolved.getReasonPhrase();
            return new GatewayException(resolved, ErrorBodies.typeFor(resolved.value()),
                    ErrorBodies.codeFor(resolved.value()), message, null, null, java.util.Map.of());
        }
        return new GatewayException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", "internal_error",
                "The server had an error while processing your request.", null, null, java.util.Map.of());
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
