package io.xcomposer.composition.compose;

import io.xcomposer.composition.article.Usage;

/** A step's result and what it cost on the model server. */
public record Costed<T>(T value, Usage cost) {}
