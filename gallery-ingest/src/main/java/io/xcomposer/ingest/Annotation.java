package io.xcomposer.ingest;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a sidecar says about one image.
 *
 * @param caption the gallery caption; none when the sidecar gives none
 * @param tags the gallery tags
 * @param metadata further columns (CSV) or the {@code metadata} object (JSONL), stored as the image's metadata
 */
record Annotation(@Nullable String caption, List<String> tags, Map<String, Object> metadata) {

    static final Annotation NONE = new Annotation(null, List.of(), Map.of());

    Annotation {
        tags = List.copyOf(tags);
        metadata = Map.copyOf(metadata);
    }
}
