package io.xcomposer.inference.server;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A request failure with the gRPC status it maps to. Thrown anywhere below the gRPC layer, converted once in
 * {@code grpc.InferenceGrpcService}: unary calls end with the status, stream requests get it as
 * {@code error_message}.
 */
public class InferenceException extends RuntimeException {

    private final Status.Code code;

    public InferenceException(Status.Code code, String message) {
        super(message);
        this.code = code;
    }

    public static InferenceException invalidArgument(String message) {
        return new InferenceException(Status.Code.INVALID_ARGUMENT, message);
    }

    public static InferenceException notFound(String message) {
        return new InferenceException(Status.Code.NOT_FOUND, message);
    }

    public static InferenceException unavailable(String message) {
        return new InferenceException(Status.Code.UNAVAILABLE, message);
    }

    public Status.Code code() {
        return code;
    }

    public StatusRuntimeException toStatusException() {
        return Status.fromCode(code).withDescription(getMessage()).asRuntimeException();
    }
}
