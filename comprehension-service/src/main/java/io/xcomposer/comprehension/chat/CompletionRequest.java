package io.xcomposer.comprehension.chat;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's (legacy) completions request body, plus the chat extensions {@code top_k}, {@code repetition_penalty}
 * and {@code raw} (send the prompt as it is instead of wrapping it in the model's chat template). {@code prompt} and
 * {@code stop} stay JSON because they are string-or-array; the options {@link CompletionParser} refuses too.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompletionRequest(
        @Nullable String model,
        @Nullable JsonNode prompt,
        @Nullable Boolean stream,
        ChatCompletionRequest.@Nullable StreamOptions streamOptions,
        @Nullable Integer maxTokens,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer topK,
        @Nullable Double repetitionPenalty,
        @Nullable Double presencePenalty,
        @Nullable Double frequencyPenalty,
        @Nullable Long seed,
        @Nullable JsonNode stop,
        @Nullable Integer n,
        @Nullable Integer logprobs,
        @Nullable Boolean echo,
        @Nullable JsonNode suffix,
        @Nullable Integer bestOf,
        @Nullable JsonNode logitBias,
        @Nullable Boolean raw) {}
