/** Gallery metrics. */
@NullMarked
package io.xcomposer.retrieval.metrics;

import org.jspecify.annotations.NullMarked;
