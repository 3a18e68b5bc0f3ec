/** Readiness of the gallery's own start-up work (index recovery, seeding), which runs in the background. */
@NullMarked
package io.xcomposer.retrieval.health;

import org.jspecify.annotations.NullMarked;
