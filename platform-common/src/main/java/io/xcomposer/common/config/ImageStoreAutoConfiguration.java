package io.xcomposer.common.config;

import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.images.ImageStoreProperties;
import io.xcomposer.common.images.ImageValidator;
import io.xcomposer.common.security.ServiceToken;
import io.xcomposer.common.web.config.ServiceSecurityAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;

/** An {@link ImageStore} on the application's Redis, configured by {@code xcomposer.images.*}. */
@AutoConfiguration(
        after = {ImageValidationAutoConfiguration.class, ServiceSecurityAutoConfiguration.class},
        afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnBean(ReactiveRedisConnectionFactory.class)
@EnableConfigurationProperties(ImageStoreProperties.class)
public class ImageStoreAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ImageStore imageStore(
            ReactiveRedisConnectionFactory connectionFactory,
            ImageStoreProperties properties,
            ImageValidator validator,
            ObjectProvider<ServiceToken> serviceToken) {
        ServiceToken token = serviceToken.getIfAvailable();
        return new ImageStore(connectionFactory, properties, validator, token == null ? null : token.value());
    }
}
