/** The Redis catalog: the gallery's source of truth (bytes, metadata, vectors, change log). */
@NullMarked
package io.xcomposer.retrieval.catalog;

import org.jspecify.annotations.NullMarked;
