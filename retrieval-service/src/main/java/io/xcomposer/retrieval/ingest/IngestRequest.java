package io.xcomposer.retrieval.ingest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One image to add: exactly one of {@code image_base64} and {@code url}, plus its description.
 */
public record IngestRequest(
        @JsonProperty("image_base64") @Nullable String imageBase64,
        @Nullable String url,
        @Nullable String caption,
        @Nullable List<String> tags,
        @Nullable Map<String, Object> metadata) {

    public ImageAttributes attributes() {
        return ImageAttributes.of(this.caption, this.tags, this.metadata);
    }
}
