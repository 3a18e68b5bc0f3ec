package io.xcomposer.common.inference;

import io.xcomposer.common.error.ApiErrorMapper;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.error.InferenceTimeoutException;
import io.xcomposer.inference.client.error.InvalidInputException;
import io.xcomposer.inference.client.error.ModelNotFoundException;
import io.xcomposer.inference.client.error.ServerUnavailableException;
import io.xcomposer.inference.client.error.StreamInterruptedException;
import io.xcomposer.inference.client.image.ImageRejectedException;
import io.xcomposer.inference.client.image.ImageTooLargeException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * The inference client's failures in the platform's error shape: refused images (413 or 400) and the model server's
 * answers (400 for a prompt over the context, 503 with the server's pushback, 504, 502). Registered with
 * {@link io.xcomposer.common.error.ApiErrors} through {@code META-INF/services}, so the web module (and the gateway,
 * which uses only that) knows nothing of the model libraries.
 */
public final class InferenceErrors implements ApiErrorMapper {

    @Override
    public @Nullable ApiException toApiException(Throwable error) {
        if (error instanceof ImageRejectedException image) {
            return rejectedImage(image, null);
        }
        if (error instanceof InferenceException inference) {
            return fromInference(inference);
        }
        return null;
    }

    /** An image the checks refused, as 413 (too large) or 400, naming the request field it came from. */
    public static ApiException rejectedImage(ImageRejectedException image, @Nullable String param) {
        String message = "The image was refused: " + image.getMessage() + ".";
        return image instanceof ImageTooLargeException
                ? ApiException.payloadTooLarge(image.code(), message, param)
                : ApiException.badRequest(image.code(), message, param);
    }

    private static ApiException fromInference(InferenceException inference) {
        if (inference instanceof ContextLengthExceededException) {
            return ApiException.badRequest(
                    "context_length_exceeded",
                    "The prompt is longer than the model's context: " + inference.getMessage(),
                    "messages");
        }
        if (inference instanceof ServerUnavailableException unavailable) {
            return ApiException.unavailable(
                    unavailable.retryAfter(), "The model server is busy or unavailable; retry later.");
        }
        if (inference instanceof StreamInterruptedException) {
            return new ApiException(
                    HttpStatus.BAD_GATEWAY,
                    ApiException.SERVER_ERROR,
                    "model_stream_interrupted",
                    "The model server stopped in the middle of the answer; the answer is incomplete.",
                    null);
        }
        if (inference instanceof InferenceTimeoutException) {
            return ApiException.gatewayTimeout("The model did not answer in time.");
        }
        if (inference instanceof ModelNotFoundException) {
            return ApiException.unavailable(Duration.ofSeconds(30), "The model is not loaded on the model server.");
        }
        if (inference instanceof InvalidInputException) {
            return ApiException.badRequest(
                    "invalid_model_input", "The model refused the input: " + inference.getMessage());
        }
        return new ApiException(
                HttpStatus.BAD_GATEWAY,
                ApiException.SERVER_ERROR,
                "model_server_error",
                "The model server failed: " + inference.getMessage(),
                null);
    }
}
