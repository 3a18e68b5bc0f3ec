/** Spans and step timers of the platform's own work, on Micrometer Observation (tracing set up by Spring Boot). */
@NullMarked
package io.xcomposer.common.tracing;

import org.jspecify.annotations.NullMarked;
