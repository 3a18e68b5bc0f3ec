/**
 * Failing fast while Redis is down: short Lettuce timeouts, commands rejected instead of queued while
 * disconnected, quick reconnects, and the recognition of such failures for the 503 answer.
 */
@NullMarked
package io.xcomposer.common.redis;

import org.jspecify.annotations.NullMarked;
