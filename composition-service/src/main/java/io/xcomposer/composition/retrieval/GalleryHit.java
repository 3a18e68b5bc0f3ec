package io.xcomposer.composition.retrieval;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** One search result of retrieval-service. */
public record GalleryHit(
        String id,
        double score,
        @Nullable String caption,
        @Nullable List<String> tags,
        @Nullable String url) {}
