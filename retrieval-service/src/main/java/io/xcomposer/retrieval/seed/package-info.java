/** Start-up seeding from a gallery.jsonl. */
@NullMarked
package io.xcomposer.retrieval.seed;

import org.jspecify.annotations.NullMarked;
