package io.xcomposer.comprehension.images;

import io.xcomposer.common.images.ResolvedImage;
import org.apache.commons.codec.digest.DigestUtils;

/**
 * Image bytes taken from a request.
 *
 * @param sha256 hex SHA-256 of the bytes
 * @param bytes the encoded image, not yet validated
 * @param stored whether they already are in the image store (an uploaded id)
 * @param param the request field they came from
 */
public record SourcedImage(String sha256, byte[] bytes, boolean stored, String param) {

    public static SourcedImage of(ResolvedImage image, String param) {
        String sha256 = image.sha256() != null ? image.sha256() : DigestUtils.sha256Hex(image.bytes());
        return new SourcedImage(sha256, image.bytes(), image.stored(), param);
    }
}
