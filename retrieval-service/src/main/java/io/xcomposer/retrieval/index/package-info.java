/** The vector index behind {@link io.xcomposer.retrieval.index.VectorIndex}, kept in step with the catalog. */
@NullMarked
package io.xcomposer.retrieval.index;

import org.jspecify.annotations.NullMarked;
