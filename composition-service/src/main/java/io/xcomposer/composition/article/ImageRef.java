package io.xcomposer.composition.article;

import org.jspecify.annotations.Nullable;

/**
 * An image an article can show.
 *
 * @param id the gallery id, or the uploaded image's {@code img_…} id
 * @param source {@code gallery} (found by retrieval) or {@code upload} (one of the request's user_images)
 * @param caption the gallery's caption of it, when it has one
 * @param url where clients fetch it
 * @param score the retrieval score for the caption it was found by (0 for uploads)
 */
public record ImageRef(String id, String source, @Nullable String caption, String url, double score) {

    public static final String GALLERY = "gallery";

    public static final String UPLOAD = "upload";
}
