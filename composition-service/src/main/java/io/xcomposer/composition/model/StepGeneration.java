package io.xcomposer.composition.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.generation.SamplingParams;
import org.jspecify.annotations.Nullable;

/**
 * How the model wants one composition step decoded (one entry of the llm's {@code composition.generation}
 * parameter). A null field keeps what composition does without the parameter.
 *
 * @param numBeams beam search over this many beams; above 1 the step decodes deterministically (temperature 0)
 * @param lengthPenalty exponent of the length in a beam's score
 * @param repetitionPenalty HF/CTRL repetition penalty
 * @param maxTokens the step's completion limit the model was tuned with (the seed's {@code max_length}); it replaces
 * composition's {@code xcomposer.composition.max-tokens} default for this step
 */
public record StepGeneration(
        @JsonProperty(LlmContract.NUM_BEAMS) @Nullable Integer numBeams,
        @JsonProperty(LlmContract.LENGTH_PENALTY) @Nullable Float lengthPenalty,

        @JsonProperty(LlmContract.REPETITION_PENALTY) @Nullable
        Float repetitionPenalty,

        @JsonProperty(LlmContract.MAX_TOKENS) @Nullable Integer maxTokens) {

    public static final StepGeneration DEFAULTS = new StepGeneration(null, null, null, null);

    public StepGeneration {
        if (numBeams != null) {
            LlmContract.requireNumBeams(numBeams);
        }
        if (repetitionPenalty != null && !(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition_penalty must be > 0, got " + repetitionPenalty);
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException(LlmContract.MAX_TOKENS + " must be >= 1, got " + maxTokens);
        }
    }

    /** {@code base} with these settings on top. */
    public SamplingParams applyTo(SamplingParams base) {
        boolean beams = this.numBeams != null && this.numBeams > 1;
        return new SamplingParams(
                this.maxTokens != null ? this.maxTokens : base.maxTokens(),
                beams ? Float.valueOf(0f) : base.temperature(),
                beams ? null : base.topP(),
                beams ? null : base.topK(),
                this.repetitionPenalty != null ? this.repetitionPenalty : base.repetitionPenalty(),
                beams ? null : base.seed(),
                base.stop(),
                this.numBeams,
                this.lengthPenalty);
    }
}
