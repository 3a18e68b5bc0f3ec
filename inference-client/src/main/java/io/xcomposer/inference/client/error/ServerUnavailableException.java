package io.xcomposer.inference.client.error;

import io.grpc.Status;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * UNAVAILABLE or RESOURCE_EXHAUSTED: the server is down, shutting down or at its concurrency limit. Worth
 * retrying after {@link #retryAfter()}.
 */
public class ServerUnavailableException extends InferenceException {

    private final Duration retryAfter;

    public ServerUnavailableException(
            Status.Code code, @Nullable String model, String message, Duration retryAfter, @Nullable Throwable cause) {
        super(code, model, message, cause);
        this.retryAfter = retryAfter;
    }

    /** The server's pushback when it sent one, otherwise a default first backoff step. */
    public Duration retryAfter() {
        return this.retryAfter;
    }
}
