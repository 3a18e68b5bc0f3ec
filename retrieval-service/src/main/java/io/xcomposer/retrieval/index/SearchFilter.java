package io.xcomposer.retrieval.index;

import java.util.Set;

/**
 * Restrictions applied inside the k-NN search (not after it), so {@code k} results come back even when many
 * neighbours are excluded.
 *
 * @param excludeIds ids that must not be returned
 * @param anyOfTags when not empty, only images carrying at least one of these tags
 */
public record SearchFilter(Set<String> excludeIds, Set<String> anyOfTags) {

    public static final SearchFilter NONE = new SearchFilter(Set.of(), Set.of());

    public SearchFilter {
        excludeIds = Set.copyOf(excludeIds);
        anyOfTags = Set.copyOf(anyOfTags);
    }

    public boolean isEmpty() {
        return this.excludeIds.isEmpty() && this.anyOfTags.isEmpty();
    }
}
