package io.xcomposer.gateway.error;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A failure with its client-facing form: HTTP status plus OpenAI's {@code {"error":{message,type,param,code}}}.
 * SDKs map the status to their exception classes (400 BadRequest, 401 Authentication, 429 RateLimit...) and retry
 * 429/5xx, honouring {@code Retry-After}; so every 429/503 carries one.
 */
public class GatewayException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String code;
    private final @Nullable String param;
    private final @Nullable Duration retryAfter;
    private final Map<String, String> headers;

    public GatewayException(HttpStatus status, String type, String code, String message, @Nullable String param,
            @Nullable Duration retryAfter, Map<String, String> headers) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
        this.headers = headers;
    }

    public static GatewayException badRequest(String code, String message, @Nullable String param) {
        return new GatewayException(HttpStatus.BAD_REQUEST, "invalid_request_error", code, message, param, null, Map.of());
    }

    public static GatewayException unauthorized(String code, String message) {
        return new GatewayException(HttpStatus.UNAUTHORIZED, "invalid_request_error", code, message, null, null, Map.of());
    }

    public static GatewayException notFound(String code, String message) {
        return new GatewayException(HttpStatus.NOT_FOUND, "invalid_request_error", code, message, null, null, Map.of());
    }

    public static GatewayException tooLarge(String message) {
        return new GatewayException(HttpStatus.PAYLOAD_TOO_LARGE, "invalid_request_error", "request_too_large", message,
                null, null, Map.of());
    }

    public static GatewayException rateLimited(String code, String message, Duration retryAfter,
            Map<String, String> headers) {
        return new GatewayException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_error", code, message, null, retryAfter,
                headers);
    }

    public static GatewayException unavailable(String code, String message, Duration retryAfter) {
        return new GatewayException(HttpStatus.SERVICE_UNAVAILABLE, "service_unavailable_error", code, message, null,
                retryAfter, Map.of());
    }

    public static GatewayException timeout(String message) {
        return new GatewayException(HttpStatus.GATEWAY_TIMEOUT, "server_error", "upstream_timeout", message, null, null,
                Map.of());
    }

    public HttpStatus status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }

    public @Nullable String param() {
        return param;
    }

    public @Nullable Duration retryAfter() {
        return retryAfter;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
