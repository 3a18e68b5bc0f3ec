package io.xcomposer.comprehension.images;

/**
 * Image bytes taken from a request.
 *
 * @param sha256 hex SHA-256 of the bytes
 * @param bytes the encoded image, not yet validated
 * @param stored whether they already are in the image store (an uploaded id)
 * @param param the request field they came from
 */
public record SourcedImage(String sha256, byte[] bytes, boolean stored, String param) {}
