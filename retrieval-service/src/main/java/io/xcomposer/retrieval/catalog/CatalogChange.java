package io.xcomposer.retrieval.catalog;

/**
 * An entry of the catalog's change log: image {@code id} last changed (added or deleted) at {@code generation}.
 */
public record CatalogChange(String id, long generation) {}
