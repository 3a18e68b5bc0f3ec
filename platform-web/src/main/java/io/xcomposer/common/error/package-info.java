/**
 * The platform's error contract: {@link io.xcomposer.common.error.ErrorResponse} (OpenAI's shape),
 * {@link io.xcomposer.common.error.ApiException} and the one place that turns any failure into it,
 * {@link io.xcomposer.common.error.ApiExceptionHandler}.
 */
@NullMarked
package io.xcomposer.common.error;

import org.jspecify.annotations.NullMarked;
