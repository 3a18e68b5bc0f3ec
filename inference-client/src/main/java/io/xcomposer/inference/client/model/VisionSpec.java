package io.xcomposer.inference.client.model;

import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.grpc.ModelConfig;

/**
 * How images must be preprocessed for a vision model, and (for {@code vision_encoder}) what it returns.
 *
 * @param imageSize square input side H = W
 * @param resizeMode always {@code bicubic}: exact size, no crop, aspect not kept
 * @param mean per-channel RGB mean, applied to pixels scaled to [0,1]
 * @param std per-channel RGB standard deviation
 * @param imageTokens Q image tokens per image; 0 for {@code image_embedder}, which has none
 * @param hiddenSize D, width of each image token; 0 for {@code image_embedder}
 */
public record VisionSpec(int imageSize, String resizeMode, float[] mean, float[] std, int imageTokens, int hiddenSize) {

    public static final String BICUBIC = "bicubic";

    public VisionSpec {
        if (imageSize <= 0) {
            throw new IllegalArgumentException("imageSize must be positive, got " + imageSize);
        }
        if (!BICUBIC.equals(resizeMode)) {
            throw new IllegalArgumentException("resize mode '" + resizeMode + "' is not supported, only " + BICUBIC);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need one value per RGB channel");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** The {@code vision_encoder} view: preprocessing plus image_tokens and hidden_size, all required. */
    public static VisionSpec fromConfig(ModelConfig config) {
        ModelDescription description = ModelDescription.of(config);
        return new VisionSpec(
                description.requireInt(VisionContract.IMAGE_SIZE),
                description.requireString(VisionContract.RESIZE_MODE),
                description.requireFloats(VisionContract.IMAGE_MEAN, 3),
                description.requireFloats(VisionContract.IMAGE_STD, 3),
                description.requireInt(VisionContract.IMAGE_TOKENS),
                description.requireInt(VisionContract.HIDDEN_SIZE));
    }

    /** Preprocessing only, for models such as {@code image_embedder} that produce no image tokens. */
    static VisionSpec preprocessingFrom(ModelDescription description) {
        return new VisionSpec(
                description.requireInt(VisionContract.IMAGE_SIZE),
                description.requireString(VisionContract.RESIZE_MODE),
                description.requireFloats(VisionContract.IMAGE_MEAN, 3),
                description.requireFloats(VisionContract.IMAGE_STD, 3),
                0,
                0);
    }

    @Override
    public float[] mean() {
        return this.mean.clone();
    }

    @Override
    public float[] std() {
        return this.std.clone();
    }
}
