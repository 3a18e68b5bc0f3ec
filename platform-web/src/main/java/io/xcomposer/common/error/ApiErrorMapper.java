package io.xcomposer.common.error;

import org.jspecify.annotations.Nullable;

/**
 * Maps failures of one library to the error shape, for {@link ApiErrors}: the web module knows web, JSON and Redis
 * failures, and each module that brings another kind of failure (platform-common: the inference client's) registers
 * its mapper in {@code META-INF/services/io.xcomposer.common.error.ApiErrorMapper}. A {@link java.util.ServiceLoader}
 * rather than beans, because failures are also mapped outside any bean (stream error events, background steps).
 */
@FunctionalInterface
public interface ApiErrorMapper {

    /** The client-facing form of {@code error}, or null when this mapper does not know the failure. */
    @Nullable
    ApiException toApiException(Throwable error);
}
