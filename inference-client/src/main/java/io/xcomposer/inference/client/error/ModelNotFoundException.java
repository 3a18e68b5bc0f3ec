package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** NOT_FOUND: the server has no such model or version. */
public class ModelNotFoundException extends InferenceException {

    public ModelNotFoundException(@Nullable String model, String message, @Nullable Throwable cause) {
        super(Status.Code.NOT_FOUND, model, message, cause);
    }
}
