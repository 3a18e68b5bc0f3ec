package io.xcomposer.common.error;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Renders every failure that reaches WebFlux as the platform's error body, ahead of Boot's default handler.
 * Client errors are logged at DEBUG, retryable server conditions (503, 504, 502) at WARN, and only unexpected
 * failures (bugs) at ERROR with their stack trace.
 */
public class ApiExceptionHandler implements WebExceptionHandler, Ordered {

    /** Before Boot's {@code DefaultErrorWebExceptionHandler} (-1). */
    public static final int ORDER = -2;

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    /**
     * How much of a refused request's unread body is read and dropped so that a client still uploading it (Python's
     * urllib, curl with a file) reads the answer instead of a connection reset.
     */
    private static final long MAX_DRAINED_BYTES = 256L * 1024;

    private static final Duration MAX_DRAIN_TIME = Duration.ofSeconds(15);

    private final ObjectMapper objectMapper;

    public ApiExceptionHandler(ObjectMapper objectMapper) {
        this.objectMapper = objectMapper;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(error);
        }
        ApiException api = ApiErrors.toApiException(error);
        logFailure(exchange, error, api);
        response.setStatusCode(api.status());
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.APPLICATION_JSON);
        if (error instanceof ResponseStatusException status) {
            // e.g. Allow on a 405, as RFC 9110 asks
            headers.addAll(status.getHeaders());
        }
        if (api.retryAfter() != null) {
            headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfterSeconds(api.retryAfter())));
        }
        byte[] body = this.objectMapper.writeValueAsBytes(api.toResponse());
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return unreadBodyDrained(exchange).then(response.writeWith(Mono.just(buffer)));
    }

    /**
     * Reads and drops whatever of the request body nobody read (a request refused before its body was looked at),
     * so a client still sending it reads the answer, and the connection stays in step for its next request; a body
     * that was already read, or that breaks off, ends the drain quietly.
     */
    private static Mono<Void> unreadBodyDrained(ServerWebExchange exchange) {
        long[] seen = {0};
        return exchange.getRequest()
                .getBody()
                .doOnNext(buffer -> {
                    seen[0] += buffer.readableByteCount();
                    DataBufferUtils.release(buffer);
                })
                // Bounded: past the cap (or the time) the connection is closed after the answer instead.
                .takeUntil(buffer -> seen[0] >= MAX_DRAINED_BYTES)
                .then()
                .timeout(MAX_DRAIN_TIME)
                .onErrorResume(alreadyReadOrBroken -> Mono.empty());
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    /** Whole seconds, rounded up, at least 1 (RFC 9110 delay-seconds; OpenAI's spec asks for ≥ 1). */
    public static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    private static void logFailure(ServerWebExchange exchange, Throwable error, ApiException api) {
        String request =
                exchange.getRequest().getMethod() + " " + exchange.getRequest().getPath();
        if (ApiErrors.isUnexpected(error)) {
            log.error("{} failed unexpectedly", request, error);
        } else if (api.status().is5xxServerError()) {
            log.warn("{} answered {} ({}): {}", request, api.status().value(), api.code(), error.getMessage());
        } else if (log.isDebugEnabled()) {
            log.debug("{} answered {} ({}): {}", request, api.status().value(), api.code(), api.getMessage());
        }
    }
}
