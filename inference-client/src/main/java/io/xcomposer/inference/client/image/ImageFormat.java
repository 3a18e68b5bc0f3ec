package io.xcomposer.inference.client.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The accepted formats, recognised by magic bytes rather than by any name or content type the caller claims. */
public enum ImageFormat {
    PNG("png"),
    JPEG("jpeg"),
    WEBP("webp"),
    GIF("gif");

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final String readerFormatName;

    ImageFormat(String readerFormatName) {
        this.readerFormatName = readerFormatName;
    }

    /** The ImageIO format name whose reader decodes this format. */
    public String readerFormatName() {
        return this.readerFormatName;
    }

    /** @throws UnsupportedImageException when the bytes start like none of the accepted formats */
    public static ImageFormat sniff(byte[] bytes) {
        if (startsWith(bytes, 0, PNG_SIGNATURE)) {
            return PNG;
        }
        if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xd8 && (bytes[2] & 0xff) == 0xff) {
            return JPEG;
        }
        if (startsWith(bytes, 0, ascii("RIFF")) && startsWith(bytes, 8, ascii("WEBP"))) {
            return WEBP;
        }
        if (startsWith(bytes, 0, ascii("GIF87a")) || startsWith(bytes, 0, ascii("GIF89a"))) {
            return GIF;
        }
        throw new UnsupportedImageException("not a PNG, JPEG, WebP or GIF image");
    }

    private static boolean startsWith(byte[] bytes, int offset, byte[] prefix) {
        return bytes.length >= offset + prefix.length
                && Arrays.equals(bytes, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
