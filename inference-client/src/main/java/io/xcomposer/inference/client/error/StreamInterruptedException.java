package io.xcomposer.inference.client.error;

import io.grpc.Status;
import org.jspecify.annotations.Nullable;

/**
 * A generation stream that had already delivered output broke off: the model server crashed, restarted or the
 * connection dropped mid-answer. Not overload: the server did not refuse the request, it lost it, and the answer
 * so far is incomplete.
 */
public class StreamInterruptedException extends InferenceException {

    public StreamInterruptedException(
            Status.Code code, @Nullable String model, String message, @Nullable Throwable cause) {
        super(code, model, message, cause);
    }
}
