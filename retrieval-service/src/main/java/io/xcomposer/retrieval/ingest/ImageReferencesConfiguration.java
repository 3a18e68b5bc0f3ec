package io.xcomposer.retrieval.ingest;

import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.config.RetrievalProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The platform's image references for the gallery: an id names a gallery image first, then an upload (both kinds
 * of id are {@code img_} + a content hash, so the same bytes have the same id in both).
 */
@Configuration(proxyBeanMethods = false)
class ImageReferencesConfiguration {

    @Bean
    ImageReferences imageReferences(
            ImageStore uploads, SafeImageFetcher fetcher, GalleryCatalog catalog, RetrievalProperties properties) {
        return new ImageReferences(
                uploads, fetcher, catalog, properties.maxImageBytes().toBytes());
    }
}
