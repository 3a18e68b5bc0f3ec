package io.xcomposer.composition.article;

/**
 * Why a step failed: a slot that has no image, or a failed composition.
 *
 * @param stage {@code write}, {@code spot}, {@code caption}, {@code retrieval} or {@code selection}
 * @param code a stable code
 * @param message what went wrong
 */
public record StepError(String stage, String code, String message) {}
