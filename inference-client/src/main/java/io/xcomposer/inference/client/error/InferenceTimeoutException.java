package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/** DEADLINE_EXCEEDED: the call, or the wait for readiness, ran past its deadline. */
public class InferenceTimeoutException extends InferenceException {

    public InferenceTimeoutException(@Nullable String model, String message, @Nullable Throwable cause) {
        super(Status.Code.DEADLINE_EXCEEDED, model, message, cause);
    }
}
