package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.server.InferenceException;

/**
 * Beam search settings of one generation.
 *
 * @param numBeams 1 decodes one sequence (greedy or sampled, as Hugging Face does for {@code num_beams=1})
 * @param lengthPenalty exponent of the completion length in a finished beam's score {@code sum log p / len^lp}
 */
record BeamSettings(int numBeams, float lengthPenalty) {

    static final BeamSettings NONE = new BeamSettings(1, 1f);

    BeamSettings {
        try {
            LlmContract.requireNumBeams(numBeams);
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalidArgument(e.getMessage());
        }
        if (!Float.isFinite(lengthPenalty)) {
            throw InferenceException.invalidArgument(
                    LlmContract.LENGTH_PENALTY + " must be a finite number, got " + lengthPenalty);
        }
    }

    boolean enabled() {
        return numBeams > 1;
    }

    /** Beam search is deterministic here: sampling within beams is not supported, and a request asking for both is refused. */
    void requireCompatible(SamplingSettings sampling) {
        if (enabled() && !sampling.greedy()) {
            throw InferenceException.invalidArgument(LlmContract.NUM_BEAMS + " > 1 needs " + LlmContract.TEMPERATURE
                    + " 0 (beam sampling is not supported), got " + sampling.temperature());
        }
    }
}
