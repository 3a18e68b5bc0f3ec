package io.xcomposer.inference.client.model;

import io.xcomposer.inference.grpc.ModelConfig;
import java.util.List;

/**
 * The {@code llm} model's limits and prompt format.
 *
 * @param contextLength max tokens of prompt plus completion
 * @param defaultMaxTokens completion length when a request sets none
 * @param imageTokens Q, tokens each image takes in the prompt
 * @param hiddenSize D, width of the image embeddings it accepts
 * @param stopStrings the model's own stop strings, which always apply
 */
public record LlmSpec(
        int contextLength,
        int defaultMaxTokens,
        int imageTokens,
        int hiddenSize,
        List<String> stopStrings,
        ChatTemplate template) {

    public LlmSpec {
        stopStrings = List.copyOf(stopStrings);
    }

    public static LlmSpec fromConfig(ModelConfig config) {
        ModelDescription description = ModelDescription.of(config);
        return new LlmSpec(
                description.requireInt("context_length"),
                description.requireInt("default_max_tokens"),
                description.requireInt("image_tokens"),
                description.requireInt("hidden_size"),
                description.requireStringList("stop_strings"),
                ChatTemplate.from(description));
    }
}
