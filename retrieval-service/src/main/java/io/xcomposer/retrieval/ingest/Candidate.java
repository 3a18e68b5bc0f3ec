package io.xcomposer.retrieval.ingest;

/** Bytes to ingest with their description. */
public record Candidate(byte[] bytes, ImageAttributes attributes) {}
