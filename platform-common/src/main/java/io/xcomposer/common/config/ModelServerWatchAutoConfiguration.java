package io.xcomposer.common.config;

import io.xcomposer.common.health.ModelServerHealthIndicator;
import io.xcomposer.common.health.ModelServerWatch;
import io.xcomposer.common.health.ModelServerWatchProperties;
import io.xcomposer.common.health.RequiredModels;
import io.xcomposer.inference.client.TritonClient;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A {@link ModelServerWatch} for a service that declares its {@link RequiredModels}, and its health contributor
 * {@code modelServer} (for the readiness group) when actuator's health is present.
 */
@AutoConfiguration(afterName = "io.xcomposer.inference.client.config.InferenceClientAutoConfiguration")
@ConditionalOnBean({RequiredModels.class, TritonClient.class})
@EnableConfigurationProperties(ModelServerWatchProperties.class)
public class ModelServerWatchAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ModelServerWatch modelServerWatch(
            TritonClient client, RequiredModels models, ModelServerWatchProperties properties) {
        return new ModelServerWatch(client, models, properties);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ReactiveHealthIndicator.class)
    static class Health {

        @Bean
        @ConditionalOnMissingBean(name = "modelServerHealthIndicator")
        ModelServerHealthIndicator modelServerHealthIndicator(ModelServerWatch watch) {
            return new ModelServerHealthIndicator(watch);
        }
    }
}
