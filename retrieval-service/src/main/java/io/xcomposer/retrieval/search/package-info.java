/** Text, image, id and vector search. */
@NullMarked
package io.xcomposer.retrieval.search;

import org.jspecify.annotations.NullMarked;
