/** Uploaded images shared by every replica: {@link io.xcomposer.common.images.ImageStore} over Redis. */
@NullMarked
package io.xcomposer.common.images;

import org.jspecify.annotations.NullMarked;
