package io.xcomposer.retrieval.search;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A gallery query: exactly one of {@code text}, {@code image_base64}, {@code image_url}, {@code image_id} and
 * {@code vector}, plus options.
 *
 * @param topK results wanted, 1..100, default 4 (what the composition pipeline asks for)
 * @param exclude ids never returned (e.g. images already used in an article)
 * @param tags when given, only images with at least one of them
 * @param minScore drop results whose cosine similarity is below this
 * @param collapseDuplicates drop a result whose embedding is near-identical to a better one
 */
public record SearchRequest(
        @Nullable String text,
        @JsonProperty("image_base64") @Nullable String imageBase64,
        @JsonProperty("image_url") @Nullable String imageUrl,
        @JsonProperty("image_id") @Nullable String imageId,
        float @Nullable [] vector,
        @JsonProperty("top_k") @Nullable Integer topK,
        @Nullable List<String> exclude,
        @Nullable List<String> tags,
        @JsonProperty("min_score") @Nullable Double minScore,
        @JsonProperty("collapse_duplicates") @Nullable Boolean collapseDuplicates) {

    static final int DEFAULT_TOP_K = 4;

    static final int MAX_TOP_K = 100;
}
