package io.xcomposer.retrieval.catalog;

import java.util.List;
import java.util.Map;

/**
 * An image ready to be written: validated bytes plus its embedding.
 *
 * @param bytes the image file as received
 * @param sha256 hex SHA-256 of {@code bytes}
 * @param contentType media type detected from the bytes
 * @param caption free text
 * @param tags labels
 * @param metadata caller's JSON object
 * @param vector L2-normalised embedding
 */
public record NewImage(
        byte[] bytes,
        String sha256,
        String contentType,
        String caption,
        List<String> tags,
        Map<String, Object> metadata,
        float[] vector) {

    /** The stable id: the same bytes always get the same id, which is what makes ingestion idempotent. */
    public String id() {
        return idFor(this.sha256);
    }

    public static String idFor(String sha256) {
        return "img_" + sha256.substring(0, 24);
    }
}
