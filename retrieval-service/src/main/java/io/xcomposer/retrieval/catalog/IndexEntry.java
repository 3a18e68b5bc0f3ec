package io.xcomposer.retrieval.catalog;

import java.util.List;

/** What the vector index needs of an image: its vector and its tags (for filtering). */
public record IndexEntry(String id, float[] vector, List<String> tags) {

    public IndexEntry {
        tags = List.copyOf(tags);
    }
}
