package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OrtException;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A prompt split at its image placeholders: BOS, then text segments with one image between consecutive ones.
 *
 * @param segments token ids of the text before, between and after the images; the first starts with BOS.
 * @param images {@code [Q, D]} rows to splice in after each segment but the last.
 */
record Prompt(List<int[]> segments, List<float[]> images, int length) {

    static Prompt build(GenerationInput input, Tokenizer tokenizer, String placeholder) {
        String[] texts = input.prompt().split(Pattern.quote(placeholder), -1);
        int placeholders = texts.length - 1;
        if (placeholders != input.images().size()) {
            throw InferenceException.invalidArgument("prompt has " + placeholders + " '" + placeholder
                    + "' placeholders but image_embeds holds " + input.images().size() + " images");
        }
        List<int[]> segments = new ArrayList<>();
        int length = placeholders * input.imageTokens();
        for (int i = 0; i < texts.length; i++) {
            int[] ids = tokenizer.encode(texts[i]);
            if (i == 0) {
                int[] withBos = new int[ids.length + 1];
                withBos[0] = tokenizer.bosId();
                System.arraycopy(ids, 0, withBos, 1, ids.length);
                ids = withBos;
            }
            segments.add(ids);
            length += ids.length;
        }
        return new Prompt(segments, input.images(), length);
    }

    /** All text ids, the history the repetition penalty looks at (images have no ids). */
    int[] textIds() {
        return segments.stream().flatMapToInt(Arrays::stream).toArray();
    }

    /** Embeds the text in one call and splices each image's rows in at its placeholder. */
    float[] embed(DecoderModel model, int hiddenSize) throws OrtException {
        float[] textRows = model.embed(textIds());
        float[] rows = new float[length * hiddenSize];
        int textOffset = 0;
        int offset = 0;
        for (int i = 0; i < segments.size(); i++) {
            int segmentFloats = segments.get(i).length * hiddenSize;
            System.arraycopy(textRows, textOffset, rows, offset, segmentFloats);
            textOffset += segmentFloats;
            offset += segmentFloats;
            if (i < images.size()) {
                System.arraycopy(images.get(i), 0, rows, offset, images.get(i).length);
                offset += images.get(i).length;
            }
        }
        return rows;
    }
}
