/** Micrometer metrics of chat generations. */
@NullMarked
package io.xcomposer.comprehension.metrics;

import org.jspecify.annotations.NullMarked;
