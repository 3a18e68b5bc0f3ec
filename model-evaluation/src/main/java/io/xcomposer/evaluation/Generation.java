package io.xcomposer.evaluation;

/** A finished generation as the client received it. */
public record Generation(String text, String finishReason, int promptTokens, int completionTokens) {}
