package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** UNIMPLEMENTED: the server does not offer this call for this model, e.g. ModelInfer on a decoupled model. */
public class InferenceUnsupportedException extends InferenceException {

    public InferenceUnsupportedException(@Nullable String model, String message, @Nullable Throwable cause) {
        super(Status.Code.UNIMPLEMENTED, model, message, cause);
    }
}
