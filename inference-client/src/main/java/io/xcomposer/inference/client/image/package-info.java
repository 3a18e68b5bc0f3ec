/**
 * Untrusted image bytes to the vision models' {@code pixel_values}: format sniffing, size limits checked before
 * decoding, EXIF orientation, RGB on white, bicubic resize and mean/std normalisation.
 */
@NullMarked
package io.xcomposer.inference.client.image;

import org.jspecify.annotations.NullMarked;
