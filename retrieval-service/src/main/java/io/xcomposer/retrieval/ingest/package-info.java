/** Adding, reading, serving and deleting gallery images. */
@NullMarked
package io.xcomposer.retrieval.ingest;

import org.jspecify.annotations.NullMarked;
