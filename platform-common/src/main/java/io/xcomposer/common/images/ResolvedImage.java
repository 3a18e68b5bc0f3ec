package io.xcomposer.common.images;

import org.jspecify.annotations.Nullable;

/**
 * Image bytes taken from a request's image reference, not yet checked as an image.
 *
 * @param source where the bytes came from
 * @param bytes the encoded image
 * @param sha256 hex SHA-256 of the bytes where the source already knew it (stored images), else null
 */
public record ResolvedImage(
        Source source, byte[] bytes, @Nullable String sha256) {

    public enum Source {
        /** base64, plain or as a {@code data:} URL, in the request itself */
        INLINE,
        /** an image uploaded with {@code POST /v1/images}, from the {@link ImageStore} */
        UPLOAD,
        /** an image of the service's own {@link GalleryImages} */
        GALLERY,
        /** fetched from a URL under the SSRF rules */
        URL
    }

    /** Whether the bytes are already in a store (an upload or gallery id), so they need not be stored again. */
    public boolean stored() {
        return this.source == Source.UPLOAD || this.source == Source.GALLERY;
    }
}
