package io.xcomposer.inference.client.image;

import org.jspecify.annotations.Nullable;

/** The format is supported but the data is corrupt or truncated. */
public class InvalidImageException extends ImageRejectedException {

    public InvalidImageException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    @Override
    public String code() {
        return "invalid_image";
    }
}
