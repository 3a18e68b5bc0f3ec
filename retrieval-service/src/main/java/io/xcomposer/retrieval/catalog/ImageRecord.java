package io.xcomposer.retrieval.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One gallery image as the catalog holds it (without its bytes, which are read only by the content endpoint).
 *
 * @param id {@code img_} + the first 24 hex digits of the SHA-256 of the bytes
 * @param sha256 hex SHA-256 of the bytes
 * @param caption free text, may be empty
 * @param tags filterable labels
 * @param metadata caller's JSON object, stored as given
 * @param contentType media type detected from the bytes
 * @param size byte count
 * @param created when it was first ingested
 * @param generation catalog generation that created it
 * @param vector L2-normalised embedding; null when not read
 */
public record ImageRecord(
        String id,
        String sha256,
        String caption,
        List<String> tags,
        Map<String, Object> metadata,
        String contentType,
        long size,
        Instant created,
        long generation,
        float @Nullable [] vector) {

    public ImageRecord {
        tags = List.copyOf(tags);
        metadata = Map.copyOf(metadata);
    }
}
