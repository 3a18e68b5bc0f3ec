package io.xcomposer.inference.client.tensor;

import java.util.Arrays;

/**
 * Shape arithmetic and the batch-dimension rule: when a model's {@code max_batch_size > 0} every tensor carries a
 * leading batch dimension in front of the config's {@code dims}; when it is 0 the shape is exactly {@code dims}.
 * {@code -1} in config dims matches any size.
 */
public final class TensorShapes {

    private TensorShapes() {}

    /** Number of elements of a concrete shape; the empty shape is a scalar with one element. */
    public static long elementCount(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new TensorFormatException("shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    /** The shape a request must carry for one item of {@code dims}: {@code [1] + dims} when the model batches. */
    public static long[] withBatchDimension(long[] dims, int maxBatchSize) {
        return withBatchDimension(dims, maxBatchSize, 1);
    }

    /** {@code [batchSize] + dims} for a batching model, {@code dims} unchanged for a non-batching one. */
    public static long[] withBatchDimension(long[] dims, int maxBatchSize, long batchSize) {
        if (maxBatchSize == 0) {
            return dims.clone();
        }
        if (batchSize < 1 || batchSize > maxBatchSize) {
            throw new TensorFormatException("batch size " + batchSize + " outside 1.." + maxBatchSize);
        }
        long[] shape = new long[dims.length + 1];
        shape[0] = batchSize;
        System.arraycopy(dims, 0, shape, 1, dims.length);
        return shape;
    }

    /**
     * Checks a tensor's shape against the config's dims and returns the batch size (1 for a non-batching model).
     * @throws TensorFormatException naming the tensor, the shape and what was expected
     */
    public static long requireCompatible(String tensorName, long[] shape, long[] configDims, int maxBatchSize) {
        long[] dims = shape;
        long batchSize = 1;
        if (maxBatchSize > 0) {
            if (shape.length == 0) {
                throw mismatch(tensorName, shape, configDims, maxBatchSize);
            }
            batchSize = shape[0];
            if (batchSize < 1 || batchSize > maxBatchSize) {
                throw new TensorFormatException(
                        "input '" + tensorName + "' batch size " + batchSize + " outside 1.." + maxBatchSize);
            }
            dims = Arrays.copyOfRange(shape, 1, shape.length);
        }
        if (!matches(dims, configDims)) {
            throw mismatch(tensorName, shape, configDims, maxBatchSize);
        }
        return batchSize;
    }

    /** Whether a concrete shape fits a pattern whose {@code -1} entries match any size. */
    public static boolean matches(long[] shape, long[] pattern) {
        if (shape.length != pattern.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (pattern[i] != -1 && pattern[i] != shape[i]) {
                return false;
            }
        }
        return true;
    }

    private static TensorFormatException mismatch(
            String tensorName, long[] shape, long[] configDims, int maxBatchSize) {
        String expected = (maxBatchSize > 0 ? "[-1] + " : "") + Arrays.toString(configDims);
        return new TensorFormatException(
                "input '" + tensorName + "' has shape " + Arrays.toString(shape) + ", expected " + expected);
    }
}
