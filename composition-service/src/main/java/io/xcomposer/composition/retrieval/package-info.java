/** retrieval-service, the gallery composition draws its images from, called over HTTP. */
@NullMarked
package io.xcomposer.composition.retrieval;

import org.jspecify.annotations.NullMarked;
