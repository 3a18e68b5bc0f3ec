package io.xcomposer.inference.client.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.inference.client.TritonClient;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Provides the application's {@link TritonClient}, recording into the application's {@link MeterRegistry} and
 * observing its calls in the application's {@link ObservationRegistry} (trace context over gRPC) when there are. The channel connects lazily, so start-up does not need the server; call
 * {@link TritonClient#awaitReady} with {@link InferenceClientProperties#readyTimeout()} where a service must wait.
 */
@AutoConfiguration
@EnableConfigurationProperties(InferenceClientProperties.class)
public class InferenceClientAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    TritonClient tritonClient(
            InferenceClientProperties properties,
            ObjectProvider<MeterRegistry> meterRegistry,
            ObjectProvider<ObservationRegistry> observationRegistry,
            @Value("${xcomposer.security.service-token:}") String serviceToken) {
        return TritonClient.connect(
                properties.toOptions(),
                meterRegistry.getIfAvailable(SimpleMeterRegistry::new),
                serviceToken,
                observationRegistry.getIfAvailable(() -> ObservationRegistry.NOOP));
    }
}
