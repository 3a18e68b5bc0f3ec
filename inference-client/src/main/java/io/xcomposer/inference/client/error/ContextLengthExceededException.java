package io.xcomposer.inference.client.error;

import org.jspecify.annotations.Nullable;

/** The prompt alone is longer than the model's {@code context_length}; the caller must shorten it. */
public class ContextLengthExceededException extends InvalidInputException {

    /** How the llm's stream error message starts for this case (docs/model-contract.md). */
    public static final String MESSAGE_PREFIX = "context length exceeded:";

    public ContextLengthExceededException(@Nullable String model, String message) {
        super(model, message, null);
    }
}
