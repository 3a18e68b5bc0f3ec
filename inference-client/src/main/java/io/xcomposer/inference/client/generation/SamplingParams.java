package io.xcomposer.inference.client.generation;

import io.xcomposer.inference.client.contract.LlmContract;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Sampling controls of one generation. A null field is not sent, so the model's default applies (see
 * docs/model-contract.md: default_max_tokens, greedy, top_p 1, top_k off, repetition_penalty 1, one beam,
 * length_penalty 1).
 *
 * @param stop extra stop strings on top of the model's own {@code stop_strings}
 * @param numBeams beam search over this many beams (1 to {@link LlmContract#MAX_NUM_BEAMS}); above 1 the server
 * decodes deterministically and sends the best beam's text when it is finished
 * @param lengthPenalty exponent of the length in a beam's score {@code sum log p / length^lengthPenalty}
 * @param presencePenalty OpenAI's presence penalty (−2 to 2) over the completion's tokens so far
 * @param frequencyPenalty OpenAI's frequency penalty (−2 to 2)
 * @param logprobs null: no log-probabilities; otherwise report them, with this many alternatives per token (0 to
 * {@link LlmContract#MAX_TOP_LOGPROBS})
 */
public record SamplingParams(
        @Nullable Integer maxTokens,
        @Nullable Float temperature,
        @Nullable Float topP,
        @Nullable Integer topK,
        @Nullable Float repetitionPenalty,
        @Nullable Long seed,
        List<String> stop,
        @Nullable Integer numBeams,
        @Nullable Float lengthPenalty,
        @Nullable Float presencePenalty,
        @Nullable Float frequencyPenalty,
        @Nullable Integer logprobs) {

    public SamplingParams {
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (logprobs != null) {
            LlmContract.requireTopLogprobs(logprobs);
        }
    }

    /** The settings without the OpenAI-surface options (penalties, log-probabilities). */
    public SamplingParams(
            @Nullable Integer maxTokens,
            @Nullable Float temperature,
            @Nullable Float topP,
            @Nullable Integer topK,
            @Nullable Float repetitionPenalty,
            @Nullable Long seed,
            List<String> stop,
            @Nullable Integer numBeams,
            @Nullable Float lengthPenalty) {
        this(
                maxTokens,
                temperature,
                topP,
                topK,
                repetitionPenalty,
                seed,
                stop,
                numBeams,
                lengthPenalty,
                null,
                null,
                null);
    }

    /** Every field left to the model. */
    public static SamplingParams modelDefaults() {
        return new SamplingParams(null, null, null, null, null, null, List.of(), null, null);
    }

    /** Deterministic decoding (temperature 0) of at most {@code maxTokens} tokens. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(maxTokens, 0f, null, null, null, null, List.of(), null, null);
    }

    /** These settings with another seed (null: the server picks one), e.g. one per sample of a request. */
    public SamplingParams withSeed(@Nullable Long seed) {
        return new SamplingParams(
                this.maxTokens,
                this.temperature,
                this.topP,
                this.topK,
                this.repetitionPenalty,
                seed,
                this.stop,
                this.numBeams,
                this.lengthPenalty,
                this.presencePenalty,
                this.frequencyPenalty,
                this.logprobs);
    }

    /** These settings with beam search; null values leave the model's defaults. */
    public SamplingParams withBeams(@Nullable Integer numBeams, @Nullable Float lengthPenalty) {
        return new SamplingParams(
                this.maxTokens,
                this.temperature,
                this.topP,
                this.topK,
                this.repetitionPenalty,
                this.seed,
                this.stop,
                numBeams,
                lengthPenalty,
                this.presencePenalty,
                this.frequencyPenalty,
                this.logprobs);
    }
}
