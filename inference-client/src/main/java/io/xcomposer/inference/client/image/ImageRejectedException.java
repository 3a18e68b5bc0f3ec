package io.xcomposer.inference.client.image;

import org.jspecify.annotations.Nullable;

/**
 * An image the preprocessor refuses. Caused by the caller's bytes, so services answer it with a 4xx and
 * {@link #code()} as a stable error code.
 */
public abstract class ImageRejectedException extends RuntimeException {

    protected ImageRejectedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** Stable, machine-readable reason, e.g. {@code image_too_large}. */
    public abstract String code();
}
