package io.xcomposer.inference.client.error;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.xcomposer.inference.client.contract.LlmContract;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The one place where gRPC statuses and stream error messages become typed {@link InferenceException}s. */
public final class GrpcErrors {

    /** Standard gRPC trailer a server uses to tell clients how long to back off. */
    static final Metadata.Key<String> RETRY_PUSHBACK_MS =
            Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

    private static final Set<Status.Code> INTERRUPTIONS =
            Set.of(Status.Code.UNAVAILABLE, Status.Code.CANCELLED, Status.Code.UNKNOWN, Status.Code.INTERNAL);

    private GrpcErrors() {}

    /**
     * Maps a failure of a call to {@code model} (null for server-level calls). Non-gRPC throwables and exceptions
     * that are already typed pass through unchanged.
     */
    public static Throwable map(Throwable error, @Nullable String model) {
        Status status;
        Metadata trailers;
        if (error instanceof StatusRuntimeException runtime) {
            status = runtime.getStatus();
            trailers = runtime.getTrailers();
        } else if (error instanceof StatusException checked) {
            status = checked.getStatus();
            trailers = checked.getTrailers();
        } else {
            return error;
        }
        String message = describe(status, model);
        return switch (status.getCode()) {
            case NOT_FOUND -> new ModelNotFoundException(model, message, error);
            case INVALID_ARGUMENT -> new InvalidInputException(model, message, error);
            case UNAVAILABLE, RESOURCE_EXHAUSTED ->
                new ServerUnavailableException(status.getCode(), model, message, retryAfter(trailers), error);
            case DEADLINE_EXCEEDED -> new InferenceTimeoutException(model, message, error);
            case UNIMPLEMENTED -> new InferenceUnsupportedException(model, message, error);
            default -> new InferenceException(status.getCode(), model, message, error);
        };
    }

    /**
     * Maps the failure of a generation stream that had already delivered {@code responses} responses: once output
     * flowed, a transport failure (UNAVAILABLE: the connection dropped; CANCELLED: the server cancelled the call
     * while shutting down; UNKNOWN, INTERNAL) is an interrupted stream, not a refusal, so it must not read as
     * overload. Our own cancels never get here: the subscriber is gone by then.
     */
    public static Throwable mapStreamFailure(Throwable error, @Nullable String model, long responses) {
        Throwable mapped = map(error, model);
        if (responses > 0
                && mapped instanceof InferenceException inference
                && INTERRUPTIONS.contains(inference.code())) {
            return new StreamInterruptedException(
                    inference.code(), model, inference.getMessage() + " after " + responses + " responses", error);
        }
        return mapped;
    }

    /**
     * Maps a {@code ModelStreamInferResponse.error_message}. Triton's default stream mode sends no status code
     * with it, so the contract's message prefixes carry the kind: context length exceeded and invalid input get
     * their own types; the rest are UNKNOWN.
     */
    public static InferenceException fromStreamError(String errorMessage, @Nullable String model) {
        if (LlmContract.isContextLengthExceeded(errorMessage)) {
            return new ContextLengthExceededException(model, errorMessage);
        }
        if (LlmContract.isInvalidInput(errorMessage)) {
            return new InvalidInputException(model, errorMessage, null);
        }
        return new InferenceException(Status.Code.UNKNOWN, model, errorMessage, null);
    }

    private static String describe(Status status, @Nullable String model) {
        String target = model == null ? "inference server" : "model '" + model + "'";
        String description = status.getDescription() == null ? "" : ": " + status.getDescription();
        return target + " answered " + status.getCode() + description;
    }

    private static Duration retryAfter(@Nullable Metadata trailers) {
        String pushback = trailers == null ? null : trailers.get(RETRY_PUSHBACK_MS);
        if (pushback != null) {
            try {
                long millis = Long.parseLong(pushback.trim());
                if (millis >= 0) {
                    return Duration.ofMillis(millis);
                }
            } catch (NumberFormatException ignored) {
                // A malformed hint is no hint: fall back to the default.
            }
        }
        return DEFAULT_RETRY_AFTER;
    }
}
