package io.xcomposer.inference.client.model;

import io.xcomposer.inference.client.contract.LlmContract;
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
                description.requireInt(LlmContract.CONTEXT_LENGTH),
                description.requireInt(LlmContract.DEFAULT_MAX_TOKENS),
                description.requireInt(LlmContract.IMAGE_TOKENS),
                description.requireInt(LlmContract.HIDDEN_SIZE),
                description.requireStringList(LlmContract.STOP_STRINGS),
                ChatTemplate.from(description));
    }
}
