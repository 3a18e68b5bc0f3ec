package io.xcomposer.retrieval.search;

import java.util.List;

/** Search results, best first. */
public record SearchResponse(List<Result> results) {

    /**
     * @param score cosine similarity (dot product of unit vectors), in [-1, 1]
     * @param url where the image bytes are served
     */
    public record Result(String id, float score, String caption, List<String> tags, String url) {}
}
