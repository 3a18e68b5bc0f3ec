package io.xcomposer.gateway.error;

import io.xcomposer.common.error.ApiException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The gateway's errors that platform-web's {@link ApiException} factories do not cover: 401s, 504
 * {@code upstream_timeout}, and 429/503 with the gateway's own codes ({@code tokens_exceeded}, {@code overloaded},
 * {@code auth_unavailable}, {@code upstream_*}) and a {@code Retry-After}. Rendered like every other
 * {@link ApiException} by platform-web's {@code ApiExceptionHandler}.
 */
public final class GatewayException extends ApiException {

    private final @Nullable Duration retryAfter;

    private GatewayException(
            HttpStatus status, String type, String code, String message, @Nullable Duration retryAfter) {
        super(status, type, code, message, null);
        this.retryAfter = retryAfter;
    }

    public static GatewayException unauthorized(String code, String message) {
        return new GatewayException(HttpStatus.UNAUTHORIZED, INVALID_REQUEST, code, message, null);
    }

    public static GatewayException rateLimited(String code, String message, Duration retryAfter) {
        return new GatewayException(HttpStatus.TOO_MANY_REQUESTS, RATE_LIMIT, code, message, retryAfter);
    }

    public static GatewayException unavailable(String code, String message, Duration retryAfter) {
        return new GatewayException(HttpStatus.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE, code, message, retryAfter);
    }

    public static GatewayException timeout(String message) {
        return new GatewayException(HttpStatus.GATEWAY_TIMEOUT, SERVER_ERROR, "upstream_timeout", message, null);
    }

    @Override
    public @Nullable Duration retryAfter() {
        return retryAfter;
    }
}
