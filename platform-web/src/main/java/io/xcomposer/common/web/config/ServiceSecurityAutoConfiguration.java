package io.xcomposer.common.web.config;

import io.xcomposer.common.security.ServiceAuthFilter;
import io.xcomposer.common.security.ServiceSecurityProperties;
import io.xcomposer.common.security.ServiceToken;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The service token for callers (every application) and the check of callers (every service but the gateway,
 * which turns it off with {@code xcomposer.security.service-auth=false}).
 */
@AutoConfiguration
@EnableConfigurationProperties(ServiceSecurityProperties.class)
public class ServiceSecurityAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ServiceToken serviceToken(ServiceSecurityProperties properties) {
        return new ServiceToken(properties.serviceToken());
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
    @ConditionalOnProperty(
            prefix = ServiceSecurityProperties.PREFIX,
            name = "service-auth",
            havingValue = "true",
            matchIfMissing = true)
    ServiceAuthFilter serviceAuthFilter(ServiceToken token) {
        return new ServiceAuthFilter(token);
    }
}
