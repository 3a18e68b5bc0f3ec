package io.xcomposer.comprehension.vision;

import reactor.core.publisher.Mono;

/**
 * An image of a prompt, known by content hash; its bytes are read only when its features are not cached.
 *
 * @param sha256 hex SHA-256 of the encoded bytes
 * @param bytes the encoded image, subscribed on a cache miss only
 * @param param the request field it came from, for error messages
 */
public record ImageInput(String sha256, Mono<byte[]> bytes, String param) {}
