package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.generation.TokenLogprob;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's {@code choices[].logprobs} of a chat completion (and of each streamed chunk): per token its text, natural
 * log-probability, UTF-8 bytes as integers, and the {@code top_logprobs} alternatives asked for.
 */
public record ChoiceLogprobs(
        List<Content> content, @Nullable String refusal) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Content(String token, double logprob, List<Integer> bytes, List<Top> topLogprobs) {}

    public record Top(String token, double logprob, List<Integer> bytes) {}

    static ChoiceLogprobs of(List<TokenLogprob> tokens) {
        List<Content> content = new ArrayList<>(tokens.size());
        for (TokenLogprob token : tokens) {
            List<Top> top = token.top().stream()
                    .map(alternative ->
                            new Top(alternative.token(), alternative.logprob(), unsigned(alternative.bytes())))
                    .toList();
            content.add(new Content(token.token(), token.logprob(), unsigned(token.bytes()), top));
        }
        return new ChoiceLogprobs(content, null);
    }

    /** OpenAI writes bytes as integers 0–255. */
    static List<Integer> unsigned(byte[] bytes) {
        List<Integer> values = new ArrayList<>(bytes.length);
        for (byte value : bytes) {
            values.add(value & 0xFF);
        }
        return values;
    }
}
