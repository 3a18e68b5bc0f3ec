package io.xcomposer.inference.client.image;

/**
 * Bicubic resize that follows Pillow's {@code Image.resize(size, BICUBIC)}, the preprocessing the models were
 * trained with: cubic kernel with a = -0.5; when shrinking, the kernel is stretched by the scale factor (which
 * antialiases); coefficients are normalised and applied in 22-bit fixed point with rounding; the horizontal pass
 * runs first and its result is rounded and clamped to 8 bits before the vertical pass. A side that keeps its size
 * is not resampled at all, so an image already at the target size passes through unchanged.
 */
final class BicubicResampler {

    private static final double A = -0.5;

    private static final double SUPPORT = 2.0;

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private BicubicResampler() {}

    static RgbPixels resize(RgbPixels source, int width, int height) {
        RgbPixels horizontal = source.width() == width ? source : resampleRows(source, width);
        return horizontal.height() == height ? horizontal : resampleColumns(horizontal, height);
    }

    private static RgbPixels resampleRows(RgbPixels source, int width) {
        Coefficients coefficients = Coefficients.compute(source.width(), width);
        int[] out = new int[width * source.height()];
        for (int y = 0; y < source.height(); y++) {
            int row = y * source.width();
            for (int x = 0; x < width; x++) {
                out[y * width + x] = coefficients.apply(x, source.rgb(), row, 1);
            }
        }
        return new RgbPixels(width, source.height(), out);
    }

    private static RgbPixels resampleColumns(RgbPixels source, int height) {
        Coefficients coefficients = Coefficients.compute(source.height(), height);
        int[] out = new int[source.width() * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < source.width(); x++) {
                out[y * source.width() + x] = coefficients.apply(y, source.rgb(), x, source.width());
            }
        }
        return new RgbPixels(source.width(), height, out);
    }

    private static double cubic(double distance) {
        double x = Math.abs(distance);
        if (x < 1.0) {
            return ((A + 2.0) * x - (A + 3.0)) * x * x + 1.0;
        }
        if (x < 2.0) {
            return (((x - 5.0) * x + 8.0) * x - 4.0) * A;
        }
        return 0.0;
    }

    /** For each output position, the first input index it reads and its fixed-point weights. */
    private record Coefficients(int[] first, int[][] weights) {

        static Coefficients compute(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int[] first = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int out = 0; out < outSize; out++) {
                double center = (out + 0.5) * scale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                double[] raw = new double[max - min];
                double total = 0;
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = cubic((i + min - center + 0.5) / filterScale);
                    total += raw[i];
                }
                int[] fixed = new int[raw.length];
                for (int i = 0; i < raw.length; i++) {
                    double normalised = total == 0 ? 0 : raw[i] / total;
                    fixed[i] = (int) (normalised * (1 << PRECISION_BITS) + (normalised < 0 ? -0.5 : 0.5));
                }
                first[out] = min;
                weights[out] = fixed;
            }
            return new Coefficients(first, weights);
        }

        /** Weighted sum over {@code pixels[base + (first + i) * stride]}, per channel, rounded and clamped. */
        int apply(int out, int[] pixels, int base, int stride) {
            int[] kernel = this.weights[out];
            int start = base + this.first[out] * stride;
            long red = 1L << (PRECISION_BITS - 1);
            long green = red;
            long blue = red;
            for (int i = 0; i < kernel.length; i++) {
                int pixel = pixels[start + i * stride];
                red += (long) ((pixel >> 16) & 0xff) * kernel[i];
                green += (long) ((pixel >> 8) & 0xff) * kernel[i];
                blue += (long) (pixel & 0xff) * kernel[i];
            }
            return clamp8(red) << 16 | clamp8(green) << 8 | clamp8(blue);
        }

        private static int clamp8(long sum) {
            long value = sum >> PRECISION_BITS;
            return (int) Math.max(0, Math.min(255, value));
        }
    }
}
