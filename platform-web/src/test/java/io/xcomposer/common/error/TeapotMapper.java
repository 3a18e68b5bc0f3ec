package io.xcomposer.common.error;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/** A mapper registered like platform-common's, for a failure type the web module does not know. */
public final class TeapotMapper implements ApiErrorMapper {

    @Override
    public @Nullable ApiException toApiException(Throwable error) {
        return error instanceof Teapot
                ? new ApiException(HttpStatus.I_AM_A_TEAPOT, ApiException.INVALID_REQUEST, "teapot", "Short.", null)
                : null;
    }

    static final class Teapot extends RuntimeException {}
}
