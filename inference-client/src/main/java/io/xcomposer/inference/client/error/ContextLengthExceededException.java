package io.xcomposer.inference.client.error;

import org.jspecify.annotations.Nullable;

/** The prompt alone is longer than the model's {@code context_length}; the caller must shorten it ({@code LlmContract.isContextLengthExceeded}). */
public class ContextLengthExceededException extends InvalidInputException {

    public ContextLengthExceededException(@Nullable String model, String message) {
        super(model, message, null);
    }
}
