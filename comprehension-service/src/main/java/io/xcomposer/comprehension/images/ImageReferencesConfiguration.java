package io.xcomposer.comprehension.images;

import io.xcomposer.common.fetch.SafeImageFetcher;
import io.xcomposer.common.images.ImageReferences;
import io.xcomposer.common.images.ImageStore;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The platform's image references for chat: data URLs, uploaded ids and URLs (this service has no gallery). */
@Configuration(proxyBeanMethods = false)
class ImageReferencesConfiguration {

    @Bean
    ImageReferences imageReferences(ImageStore store, SafeImageFetcher fetcher, ComprehensionProperties properties) {
        return new ImageReferences(
                store, fetcher, null, properties.imageMaxBytes().toBytes());
    }
}
