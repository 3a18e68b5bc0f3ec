/** Embeddings from the model server (image_embedder, text_embedder), batched. */
@NullMarked
package io.xcomposer.retrieval.embedding;

import org.jspecify.annotations.NullMarked;
