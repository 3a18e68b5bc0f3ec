package io.xcomposer.retrieval.config;

import io.xcomposer.common.health.RequiredModels;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gallery's infrastructure beans. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetrievalProperties.class)
class RetrievalConfiguration {

    /** Ingest and search embed with both models; without them the service is not ready. */
    @Bean
    RequiredModels requiredModels(RetrievalProperties properties) {
        return RequiredModels.of(properties.imageModel(), properties.textModel());
    }
}
