package io.xcomposer.inference.client.image;

import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorShapes;

/**
 * An image ready for a vision model.
 *
 * @param pixels normalised values, channel-major: {@code [3, size, size]} flattened (RGB planes)
 * @param size side of the square the image was resized to
 * @param sha256 hex SHA-256 of the original bytes, a cache key for embeddings
 * @param format the detected format
 * @param originalWidth width as decoded and oriented upright
 * @param originalHeight height as decoded and oriented upright
 */
public record PreprocessedImage(
        float[] pixels, int size, String sha256, ImageFormat format, int originalWidth, int originalHeight) {

    /** The model input {@code pixel_values}: FP32 {@code [3, H, W]}, or {@code [1, 3, H, W]} for a batching model. */
    public Tensor toTensor(String name, int maxBatchSize) {
        long[] dims = {3, this.size, this.size};
        return Tensor.fp32(name, TensorShapes.withBatchDimension(dims, maxBatchSize), this.pixels);
    }
}
