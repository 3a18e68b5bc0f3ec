/** Mapping of gallery failures to the platform error shape. */
@NullMarked
package io.xcomposer.retrieval.error;

import org.jspecify.annotations.NullMarked;
