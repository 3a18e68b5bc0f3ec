package io.xcomposer.retrieval.catalog;

/**
 * Identity and position of the catalog. The epoch changes when the catalog is recreated (Redis wiped), so an index
 * built from an older catalog is recognised as foreign even if the generation numbers happen to match.
 */
public record CatalogState(String epoch, long generation) {}
