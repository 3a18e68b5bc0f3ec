package io.xcomposer.common.images;

/**
 * An image held by the {@link ImageStore}.
 *
 * @param id {@code img_} plus the first 24 hex digits of the bytes' SHA-256
 * @param sha256 full hex SHA-256 of the bytes
 * @param bytes the image as uploaded
 */
public record StoredImage(String id, String sha256, byte[] bytes) {}
