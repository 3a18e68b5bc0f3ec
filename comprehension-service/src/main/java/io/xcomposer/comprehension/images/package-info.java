/** Image inputs: upload endpoint and resolution of data URLs, uploaded ids and https URLs. */
@NullMarked
package io.xcomposer.comprehension.images;

import org.jspecify.annotations.NullMarked;
