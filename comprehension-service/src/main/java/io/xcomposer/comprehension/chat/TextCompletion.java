package io.xcomposer.comprehension.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.xcomposer.inference.client.generation.TokenLogprob;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;

/**
 * OpenAI's {@code text_completion} object, whole or as one streamed chunk (then {@code usage} is null but on the
 * usage chunk, whose {@code choices} are empty).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TextCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        @JsonInclude(JsonInclude.Include.NON_NULL) ChatCompletion.@Nullable Usage usage) {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Choice(
            String text,
            int index,
            @Nullable Logprobs logprobs,
            @Nullable String finishReason) {}

    /**
     * The completions API's log-probability shape: parallel lists of tokens, their log-probabilities, a map of the
     * alternatives per token, and each token's character offset in the choice's text.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Logprobs(
            List<String> tokens,
            List<Double> tokenLogprobs,
            List<Map<String, Double>> topLogprobs,
            List<Integer> textOffset) {

        /** The tokens of one chunk (or of the whole text) whose first character is at {@code offset}. */
        static Logprobs of(List<TokenLogprob> logprobs, int offset) {
            List<String> tokens = new ArrayList<>();
            List<Double> values = new ArrayList<>();
            List<Map<String, Double>> top = new ArrayList<>();
            List<Integer> offsets = new ArrayList<>();
            int at = offset;
            for (TokenLogprob token : logprobs) {
                tokens.add(token.token());
                values.add((double) token.logprob());
                Map<String, Double> alternatives = new LinkedHashMap<>();
                token.top()
                        .forEach(alternative ->
                                alternatives.putIfAbsent(alternative.token(), (double) alternative.logprob()));
                top.add(alternatives);
                offsets.add(at);
                at += token.token().length();
            }
            return new Logprobs(tokens, values, top, offsets);
        }
    }
}
