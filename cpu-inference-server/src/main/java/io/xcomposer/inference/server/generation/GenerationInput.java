package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.contract.ImageEmbeds;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.server.InferenceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The llm request's tensors, already validated against the config, read into Java values.
 *
 * @param images one row-major {@code [Q, D]} array per {@code image_embeds} entry.
 * @param imageTokens Q, 0 without images.
 * @param imageWidth D of the image rows, 0 without images.
 * @param maxTokens requested completion limit, before clipping to the context.
 * @param logprobs -1: no log-probabilities; else report them with this many alternatives per token.
 */
record GenerationInput(
        String prompt,
        List<float[]> images,
        int imageTokens,
        int imageWidth,
        int maxTokens,
        SamplingSettings sampling,
        BeamSettings beams,
        List<String> stopWords,
        int logprobs) {

    static GenerationInput from(Map<String, Tensor> inputs, int defaultMaxTokens, int hiddenSize) {
        String prompt = inputs.get(LlmContract.TEXT_INPUT).asStrings().get(0);
        List<float[]> images = new ArrayList<>();
        int imageTokens = 0;
        int imageWidth = 0;
        Tensor imageEmbeds = inputs.get(LlmContract.IMAGE_EMBEDS);
        if (imageEmbeds != null) {
            requireShape(imageEmbeds, hiddenSize);
            long[] shape = imageEmbeds.shape();
            imageTokens = (int) shape[1];
            imageWidth = (int) shape[2];
            float[] all = imageEmbeds.asFloats();
            int perImage = imageTokens * imageWidth;
            for (int image = 0; image < shape[0]; image++) {
                images.add(Arrays.copyOfRange(all, image * perImage, (image + 1) * perImage));
            }
        }
        Integer requestedMax = intScalar(inputs, LlmContract.MAX_TOKENS);
        int maxTokens = requestedMax == null ? defaultMaxTokens : requestedMax;
        if (maxTokens < 0) {
            throw InferenceException.invalidArgument(LlmContract.MAX_TOKENS + " must be >= 0, got " + maxTokens);
        }
        long seed = inputs.containsKey(LlmContract.SEED)
                ? inputs.get(LlmContract.SEED).asLongs()[0]
                : ThreadLocalRandom.current().nextLong();
        Integer topK = intScalar(inputs, LlmContract.TOP_K);
        SamplingSettings sampling = new SamplingSettings(
                floatScalar(inputs, LlmContract.TEMPERATURE, 0f),
                topK == null ? 0 : topK,
                floatScalar(inputs, LlmContract.TOP_P, 1f),
                floatScalar(inputs, LlmContract.REPETITION_PENALTY, 1f),
                floatScalar(inputs, LlmContract.PRESENCE_PENALTY, 0f),
                floatScalar(inputs, LlmContract.FREQUENCY_PENALTY, 0f),
                seed);
        Integer numBeams = intScalar(inputs, LlmContract.NUM_BEAMS);
        BeamSettings beams =
                new BeamSettings(numBeams == null ? 1 : numBeams, floatScalar(inputs, LlmContract.LENGTH_PENALTY, 1f));
        beams.requireCompatible(sampling);
        Integer logprobs = intScalar(inputs, LlmContract.LOGPROBS);
        if (logprobs != null) {
            try {
                LlmContract.requireTopLogprobs(logprobs);
            } catch (IllegalArgumentException e) {
                throw InferenceException.invalidArgument(e.getMessage());
            }
        }
        if (beams.enabled() && (logprobs != null || sampling.penalisesCompletion())) {
            throw InferenceException.invalidArgument(LlmContract.NUM_BEAMS + " > 1 does not combine with "
                    + LlmContract.LOGPROBS + ", " + LlmContract.PRESENCE_PENALTY + " or "
                    + LlmContract.FREQUENCY_PENALTY);
        }
        List<String> stopWords = inputs.containsKey(LlmContract.STOP_WORDS)
                ? inputs.get(LlmContract.STOP_WORDS).asStrings()
                : List.of();
        return new GenerationInput(
                prompt,
                images,
                imageTokens,
                imageWidth,
                maxTokens,
                sampling,
                beams,
                stopWords,
                logprobs == null ? -1 : logprobs);
    }

    private static void requireShape(Tensor imageEmbeds, int hiddenSize) {
        try {
            ImageEmbeds.requireStacked(imageEmbeds);
            ImageEmbeds.requireWidth(imageEmbeds, hiddenSize);
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalidArgument(e.getMessage());
        }
    }

    private static @Nullable Integer intScalar(Map<String, Tensor> inputs, String name) {
        return inputs.containsKey(name) ? inputs.get(name).asInts()[0] : null;
    }

    private static float floatScalar(Map<String, Tensor> inputs, String name, float fallback) {
        return inputs.containsKey(name) ? inputs.get(name).asFloats()[0] : fallback;
    }
}
