package io.xcomposer.comprehension.config;

import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;

/**
 * What the service read from the inference server at start-up.
 *
 * @param llm the generation model's limits and chat template
 * @param vision the vision encoder's preprocessing and output shape
 * @param visionMaxBatchSize the encoder's {@code max_batch_size} (0: no batch dimension)
 * @param visionFingerprint short hash of the encoder's name, versions, parameters and our preprocessing code
 * version: part of every feature-cache key, so a new model or preprocessing never reads stale features
 */
public record ModelSpecs(LlmSpec llm, VisionSpec vision, int visionMaxBatchSize, String visionFingerprint) {}
