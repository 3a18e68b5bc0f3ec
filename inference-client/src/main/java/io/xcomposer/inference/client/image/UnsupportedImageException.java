package io.xcomposer.inference.client.image;

/** The bytes are not PNG, JPEG, WebP or GIF. */
public class UnsupportedImageException extends ImageRejectedException {

    public UnsupportedImageException(String message) {
        super(message, null);
    }

    @Override
    public String code() {
        return "unsupported_image_format";
    }
}
