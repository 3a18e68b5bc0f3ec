package io.xcomposer.inference.client.tensor;

/**
 * A tensor whose datatype, shape or bytes do not agree. Servers answer it with INVALID_ARGUMENT; on the client it
 * means the server sent a malformed response.
 */
public class TensorFormatException extends IllegalArgumentException {

    public TensorFormatException(String message) {
        super(message);
    }
}
