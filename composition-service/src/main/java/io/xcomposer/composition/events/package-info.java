/** The resumable SSE event stream of a composition. */
@NullMarked
package io.xcomposer.composition.events;

import org.jspecify.annotations.NullMarked;
