package io.xcomposer.inference.client.image;

/** More bytes or pixels than {@link ImageLimits} allow; pixel counts are checked from the header, before decoding. */
public class ImageTooLargeException extends ImageRejectedException {

    public ImageTooLargeException(String message) {
        super(message, null);
    }

    @Override
    public String code() {
        return "image_too_large";
    }
}
