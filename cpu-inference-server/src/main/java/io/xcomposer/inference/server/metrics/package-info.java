/** Triton-named Micrometer metrics. */
@NullMarked
package io.xcomposer.inference.server.metrics;

import org.jspecify.annotations.NullMarked;
