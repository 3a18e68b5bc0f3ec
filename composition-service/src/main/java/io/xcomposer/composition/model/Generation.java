package io.xcomposer.composition.model;

/** A finished generation: its whole text and its token counts. */
public record Generation(String text, int promptTokens, int completionTokens) {}
