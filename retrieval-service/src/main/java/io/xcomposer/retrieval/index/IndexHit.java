package io.xcomposer.retrieval.index;

/** One search hit: the image id and its dot product (cosine similarity) with the query. */
public record IndexHit(String id, float score) {}
