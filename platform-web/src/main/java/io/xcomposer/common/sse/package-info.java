/** Server-sent events as the platform sends them: {@code [DONE]}, error events, keep-alive comments. */
@NullMarked
package io.xcomposer.common.sse;

import org.jspecify.annotations.NullMarked;
