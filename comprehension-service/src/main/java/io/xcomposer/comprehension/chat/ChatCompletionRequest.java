package io.xcomposer.comprehension.chat;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's chat completion request body, plus the extensions {@code top_k}, {@code repetition_penalty},
 * {@code num_beams}, {@code length_penalty} and {@code conversation_id}. Every field is optional at this level so
 * that {@link ChatRequestParser} can answer each problem with a precise message; {@code content} and {@code stop}
 * stay JSON because they are string-or-array, and so do the options {@link UnsupportedOptions} refuses (any JSON
 * there is refused by name, not as a type error). Fields not listed ({@code user}, {@code store}, ...) are ignored.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChatCompletionRequest(
        @Nullable String model,
        @Nullable List<Message> messages,
        @Nullable Boolean stream,
        @Nullable Integer maxTokens,
        @Nullable Integer maxCompletionTokens,
        @Nullable Double temperature,
        @Nullable Double topP,
        @Nullable Integer topK,
        @Nullable Double repetitionPenalty,
        @Nullable Long seed,
        @Nullable JsonNode stop,
        @Nullable StreamOptions streamOptions,
        @Nullable Integer n,
        @Nullable String conversationId,
        @Nullable Integer numBeams,
        @Nullable Double lengthPenalty,
        @Nullable Double presencePenalty,
        @Nullable Double frequencyPenalty,
        @Nullable Boolean logprobs,
        @Nullable Integer topLogprobs,
        @Nullable JsonNode tools,
        @Nullable JsonNode toolChoice,
        @Nullable JsonNode functions,
        @Nullable JsonNode functionCall,
        @Nullable JsonNode responseFormat,
        @Nullable JsonNode logitBias,
        @Nullable JsonNode modalities,
        @Nullable JsonNode audio,
        @Nullable JsonNode prediction,
        @Nullable JsonNode webSearchOptions) {

    /** One message: {@code content} is a string or an array of {@code text} / {@code image_url} parts. */
    public record Message(@Nullable String role, @Nullable JsonNode content) {}

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StreamOptions(@Nullable Boolean includeUsage) {}
}
