package io.xcomposer.comprehension.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/** OpenAI's {@code chat.completion.chunk} streaming object, plus the extension {@code conversation_id}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChatCompletionChunk(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        ChatCompletion.@Nullable Usage usage,
        String conversationId) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Choice(
            int index,
            Delta delta,
            @Nullable Object logprobs,
            @Nullable String finishReason) {}

    /** Only the fields that are set are sent, as OpenAI does ({@code {}} on the final chunk). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delta(@Nullable String role, @Nullable String content) {}
}
