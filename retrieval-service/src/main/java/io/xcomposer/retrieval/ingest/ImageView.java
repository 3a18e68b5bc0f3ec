package io.xcomposer.retrieval.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.xcomposer.retrieval.catalog.ImageRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A gallery image as the API shows it.
 *
 * @param created on ingestion, whether this call stored the bytes (false: they were already there)
 */
public record ImageView(
        String id,
        String sha256,
        String caption,
        List<String> tags,
        Map<String, Object> metadata,
        @JsonProperty("content_type") String contentType,
        long size,
        @JsonProperty("created_at") Instant createdAt,
        String url,
        boolean created) {

    public static ImageView of(ImageRecord record, String url, boolean created) {
        return new ImageView(
                record.id(),
                record.sha256(),
                record.caption(),
                record.tags(),
                record.metadata(),
                record.contentType(),
                record.size(),
                record.created(),
                url,
                created);
    }
}
