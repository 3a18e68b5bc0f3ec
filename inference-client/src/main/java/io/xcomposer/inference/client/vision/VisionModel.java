package io.xcomposer.inference.client.vision;

import io.xcomposer.inference.client.image.ImageLimits;
import io.xcomposer.inference.client.image.ImagePreprocessor;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.grpc.ModelConfig;

/**
 * What a caller needs to know about a served {@code vision_encoder}: how to preprocess images for it and how many it
 * takes per call.
 *
 * @param maxBatchSize the config's {@code max_batch_size}; 0 means the model takes one image without batch dim
 */
public record VisionModel(VisionSpec spec, ImagePreprocessor preprocessor, int maxBatchSize) {

    public static VisionModel fromConfig(ModelConfig config, ImageLimits limits) {
        VisionSpec spec = VisionSpec.fromConfig(config);
        return new VisionModel(spec, new ImagePreprocessor(spec, limits), config.getMaxBatchSize());
    }
}
