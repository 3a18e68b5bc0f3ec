package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** INVALID_ARGUMENT: wrong dtype or shape, missing input, bad parameter. Retrying the same request cannot help. */
public class InvalidInputException extends InferenceException {

    public InvalidInputException(@Nullable String model, String message, @Nullable Throwable cause) {
        super(Status.Code.INVALID_ARGUMENT, model, message, cause);
    }
}
