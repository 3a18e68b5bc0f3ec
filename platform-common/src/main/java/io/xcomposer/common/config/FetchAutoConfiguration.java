package io.xcomposer.common.config;

import io.xcomposer.common.fetch.FetchProperties;
import io.xcomposer.common.fetch.SafeImageFetcher;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** A {@link SafeImageFetcher} configured by {@code xcomposer.fetch.*}. */
@AutoConfiguration
@EnableConfigurationProperties(FetchProperties.class)
public class FetchAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    SafeImageFetcher safeImageFetcher(FetchProperties properties) {
        return new SafeImageFetcher(properties);
    }
}
