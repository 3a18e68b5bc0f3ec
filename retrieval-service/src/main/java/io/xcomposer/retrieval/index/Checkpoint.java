package io.xcomposer.retrieval.index;

/** The catalog position (epoch + generation) an index state reflects. */
public record Checkpoint(String epoch, long generation) {}
