package io.xcomposer.inference.client.image;

/**
 * What {@link ImagePreprocessor#inspect} found out about an accepted image.
 *
 * @param format the format its magic bytes name
 * @param width decoded width in pixels
 * @param height decoded height in pixels
 */
public record ImageInfo(ImageFormat format, int width, int height) {

    /** The media type to serve the bytes with. */
    public String mediaType() {
        return "image/" + this.format.readerFormatName();
    }
}
