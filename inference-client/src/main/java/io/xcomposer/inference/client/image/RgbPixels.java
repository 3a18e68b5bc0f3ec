package io.xcomposer.inference.client.image;

/** An opaque RGB image, row-major, one {@code 0xRRGGBB} int per pixel. */
record RgbPixels(int width, int height, int[] rgb) {

    RgbPixels {
        if (rgb.length != width * height) {
            throw new IllegalArgumentException(width + "x" + height + " image needs " + width * height + " pixels");
        }
    }

    int at(int x, int y) {
        return this.rgb[y * this.width + x];
    }
}
