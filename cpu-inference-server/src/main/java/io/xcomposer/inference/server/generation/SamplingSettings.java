package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.server.InferenceException;

/**
 * How the next token is chosen.
 *
 * @param temperature 0 means greedy.
 * @param topK 0 means no top-k cut.
 * @param topP 1 means no nucleus cut.
 * @param repetitionPenalty 1 means none; HF/CTRL semantics over prompt and generated ids.
 * @param presencePenalty OpenAI's: subtracted from the logit of every token the completion already holds.
 * @param frequencyPenalty OpenAI's: subtracted once per occurrence in the completion so far.
 * @param seed seeds the per-request random generator, so the same seed and input give the same text.
 */
record SamplingSettings(
        float temperature,
        int topK,
        float topP,
        float repetitionPenalty,
        float presencePenalty,
        float frequencyPenalty,
        long seed) {

    SamplingSettings(float temperature, int topK, float topP, float repetitionPenalty, long seed) {
        this(temperature, topK, topP, repetitionPenalty, 0, 0, seed);
    }

    SamplingSettings {
        requirePenalty(LlmContract.PRESENCE_PENALTY, presencePenalty);
        requirePenalty(LlmContract.FREQUENCY_PENALTY, frequencyPenalty);
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw InferenceException.invalidArgument("temperature must be >= 0, got " + temperature);
        }
        if (topK < 0) {
            throw InferenceException.invalidArgument("top_k must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw InferenceException.invalidArgument("top_p must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw InferenceException.invalidArgument("repetition_penalty must be > 0, got " + repetitionPenalty);
        }
    }

    private static void requirePenalty(String name, float value) {
        if (!(Math.abs(value) <= LlmContract.MAX_PENALTY)) {
            throw InferenceException.invalidArgument(name + " must be between -" + LlmContract.MAX_PENALTY + " and "
                    + LlmContract.MAX_PENALTY + ", got " + value);
        }
    }

    boolean penalisesCompletion() {
        return presencePenalty != 0 || frequencyPenalty != 0;
    }

    boolean greedy() {
        return temperature == 0;
    }
}
