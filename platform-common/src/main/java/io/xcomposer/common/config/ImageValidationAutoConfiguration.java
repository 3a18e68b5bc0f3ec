package io.xcomposer.common.config;

import io.xcomposer.common.images.ImageStoreProperties;
import io.xcomposer.common.images.ImageValidator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The {@link ImageValidator} with the limits of {@code xcomposer.images.*}, whether or not a Redis is there. */
@AutoConfiguration
@EnableConfigurationProperties(ImageStoreProperties.class)
public class ImageValidationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ImageValidator imageValidator(ImageStoreProperties properties) {
        return new ImageValidator(properties.limits());
    }
}
