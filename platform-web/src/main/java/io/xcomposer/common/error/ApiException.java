package io.xcomposer.common.error;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A failure that answers the client with a given status and the platform's error body. Services throw these for
 * every problem the caller can act on; {@link ApiExceptionHandler} renders them.
 */
public class ApiException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid_request_error";

    public static final String RATE_LIMIT = "rate_limit_error";

    public static final String SERVICE_UNAVAILABLE = "service_unavailable_error";

    public static final String SERVER_ERROR = "server_error";

    private final HttpStatus status;

    private final String type;

    private final @Nullable String code;

    private final @Nullable String param;

    private final @Nullable Duration retryAfter;

    public ApiException(HttpStatus status, String type, @Nullable String code, String message, @Nullable String param) {
        this(status, type, code, message, param, null);
    }

    private ApiException(
            HttpStatus status,
            String type,
            @Nullable String code,
            String message,
            @Nullable String param,
            @Nullable Duration retryAfter) {
        super(Objects.requireNonNull(message, "message"));
        this.status = Objects.requireNonNull(status, "status");
        this.type = Objects.requireNonNull(type, "type");
        this.code = code;
        this.param = param;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String code, String message) {
        return badRequest(code, message, null);
    }

    public static ApiException badRequest(String code, String message, @Nullable String param) {
        return new ApiException(HttpStatus.BAD_REQUEST, INVALID_REQUEST, code, message, param);
    }

    public static ApiException notFound(String code, String message, @Nullable String param) {
        return new ApiException(HttpStatus.NOT_FOUND, INVALID_REQUEST, code, message, param);
    }

    public static ApiException payloadTooLarge(String code, String message, @Nullable String param) {
        return new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, INVALID_REQUEST, code, message, param);
    }

    public static ApiException tooManyRequests(Duration retryAfter, String message) {
        return new ApiException(
                HttpStatus.TOO_MANY_REQUESTS, RATE_LIMIT, "rate_limit_exceeded", message, null, retryAfter);
    }

    public static ApiException unavailable(Duration retryAfter, String message) {
        return unavailable(retryAfter, "server_is_overloaded", message);
    }

    /** 503 with {@code Retry-After} for a dependency that is down, e.g. {@code redis_unavailable}. */
    public static ApiException unavailable(Duration retryAfter, String code, String message) {
        return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE, code, message, null, retryAfter);
    }

    public static ApiException gatewayTimeout(String message) {
        return new ApiException(HttpStatus.GATEWAY_TIMEOUT, SERVER_ERROR, "timeout", message, null);
    }

    public HttpStatus status() {
        return this.status;
    }

    public String type() {
        return this.type;
    }

    public @Nullable String code() {
        return this.code;
    }

    public @Nullable String param() {
        return this.param;
    }

    /** When to retry, sent as {@code Retry-After}; null for errors a retry cannot fix. */
    public @Nullable Duration retryAfter() {
        return this.retryAfter;
    }

    public ErrorResponse toResponse() {
        return ErrorResponse.of(getMessage(), this.type, this.param, this.code);
    }
}
