package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** Base of every inference call failure: carries the gRPC status code and the model the call was for. */
public class InferenceException extends RuntimeException {

    private final Status.Code code;

    private final @Nullable String model;

    public InferenceException(Status.Code code, @Nullable String model, String message, @Nullable Throwable cause) {
        super(message, cause);
        this.code = code;
        this.model = model;
    }

    public Status.Code code() {
        return this.code;
    }

    /** The model the call addressed; null for server-level calls such as ServerReady. */
    public @Nullable String model() {
        return this.model;
    }
}
