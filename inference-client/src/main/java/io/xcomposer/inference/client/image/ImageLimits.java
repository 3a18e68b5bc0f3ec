package io.xcomposer.inference.client.image;

/**
 * Caps on untrusted images.
 *
 * @param maxBytes largest accepted encoded size
 * @param maxPixels largest accepted width × height, checked from the header so a small file claiming a huge canvas
 * (a decompression bomb) is refused before any pixel is decoded
 */
public record ImageLimits(long maxBytes, long maxPixels) {

    public ImageLimits {
        if (maxBytes <= 0 || maxPixels <= 0) {
            throw new IllegalArgumentException("image limits must be positive");
        }
    }

    /** 20 MiB and 40 megapixels: beyond any photo a user would send, well below what exhausts a heap. */
    public static ImageLimits defaults() {
        return new ImageLimits(20L * 1024 * 1024, 40_000_000L);
    }
}
