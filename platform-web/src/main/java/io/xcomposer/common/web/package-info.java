/** Web conventions every service shares: the {@code X-Request-Id} filter and its accessors. */
@NullMarked
package io.xcomposer.common.web;

import org.jspecify.annotations.NullMarked;
