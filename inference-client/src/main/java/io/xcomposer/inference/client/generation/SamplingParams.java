package io.xcomposer.inference.client.generation;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sampling controls of one generation. A null field is not sent, so the model's default applies (see
 * docs/model-contract.md: default_max_tokens, greedy, top_p 1, top_k off, repetition_penalty 1).
 *
 * @param stop extra stop strings on top of the model's own {@code stop_strings}
 */
public record SamplingParams(
        @Nullable Integer maxTokens,
        @Nullable Float temperature,
        @Nullable Float topP,
        @Nullable Integer topK,
        @Nullable Float repetitionPenalty,
        @Nullable Long seed,
        List<String> stop) {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Every field left to the model. */
    public static SamplingParams modelDefaults() {
        return new SamplingParams(null, null, null, null, null, null, List.of());
    }

    /** Deterministic decoding (temperature 0) of at most {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0f, null, null, null, null, List.of());
    }
}
