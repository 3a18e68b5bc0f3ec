package io.xcomposer.common.images;

import reactor.core.publisher.Mono;

/**
 * Images of a service's own gallery, looked up by id before the shared upload store. Gallery and upload ids have the
 * same form ({@code img_} + a content hash), so the same bytes have the same id in both.
 */
@FunctionalInterface
public interface GalleryImages {

    /** The image with this id; empty when the gallery has none. */
    Mono<StoredImage> find(String id);
}
