package io.xcomposer.inference.server.generation;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.server.InferenceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The llm request's tensors, already validated against the config, read into Java values.
 *
 * @param images one row-major {@code [Q, D]} array per {@code image_embeds} entry.
 * @param imageTokens Q, 0 without images.
 * @param imageWidth D of the image rows, 0 without images.
 * @param maxTokens requested completion limit, before clipping to the context.
 */
record GenerationInput(
        String prompt,
        List<float[]> images,
        int imageTokens,
        int imageWidth,
        int maxTokens,
        SamplingSettings sampling,
        List<String> stopWords) {

    static GenerationInput from(Map<String, Tensor> inputs, int defaultMaxTokens) {
        String prompt = inputs.get("text_input").asStrings().get(0);
        List<float[]> images = new ArrayList<>();
        int imageTokens = 0;
        int imageWidth = 0;
        Tensor imageEmbeds = inputs.get("image_embeds");
        if (imageEmbeds != null) {
            long[] shape = imageEmbeds.shape();
            if (shape.length != 3) {
                throw InferenceException.invalidArgument("image_embeds must be [N,Q,D], got rank " + shape.length);
            }
            imageTokens = (int) shape[1];
            imageWidth = (int) shape[2];
            float[] all = imageEmbeds.asFloats();
            int perImage = imageTokens * imageWidth;
            for (int image = 0; image < shape[0]; image++) {
                images.add(Arrays.copyOfRange(all, image * perImage, (image + 1) * perImage));
            }
        }
        int maxTokens =
                inputs.containsKey("max_tokens") ? inputs.get("max_tokens").asInts()[0] : defaultMaxTokens;
        if (maxTokens < 0) {
            throw InferenceException.invalidArgument("max_tokens must be >= 0, got " + maxTokens);
        }
        long seed = inputs.containsKey("seed")
                ? inputs.get("seed").asLongs()[0]
                : ThreadLocalRandom.current().nextLong();
        SamplingSettings sampling = new SamplingSettings(
                floatScalar(inputs, "temperature", 0f),
                inputs.containsKey("top_k") ? inputs.get("top_k").asInts()[0] : 0,
                floatScalar(inputs, "top_p", 1f),
                floatScalar(inputs, "repetition_penalty", 1f),
                seed);
        List<String> stopWords =
                inputs.containsKey("stop_words") ? inputs.get("stop_words").asStrings() : List.of();
        return new GenerationInput(prompt, images, imageTokens, imageWidth, maxTokens, sampling, stopWords);
    }

    private static float floatScalar(Map<String, Tensor> inputs, String name, float fallback) {
        return inputs.containsKey(name) ? inputs.get(name).asFloats()[0] : fallback;
    }
}
