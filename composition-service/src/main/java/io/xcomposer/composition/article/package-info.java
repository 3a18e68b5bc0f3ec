/** A composition's state and event log, kept in Redis. */
@NullMarked
package io.xcomposer.composition.article;

import org.jspecify.annotations.NullMarked;
