package io.xcomposer.common.web.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.tracing.MicrometerTracing;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A whole auto-configured application with platform-web on its classpath (Micrometer Tracing included): Boot's Lettuce
 * observation auto-configuration is filtered out, so Redis commands do not run through {@code MicrometerTracing}.
 * Nothing connects to Redis here: the client resources are built, no command is sent.
 */
class NoRedisCommandTracingTests {

    @SpringBootApplication
    static class Application {}

    @Test
    void lettuceIsNotSwitchedToPerCommandTracing() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
                .web(WebApplicationType.NONE)
                .run("--spring.jmx.enabled=false", "--spring.data.redis.port=1")) {
            assertThat(context.getBeanNamesForType(ClientResources.class)).hasSize(1);
            assertThat(context.getBean(ClientResources.class).tracing()).isNotInstanceOf(MicrometerTracing.class);
            assertThat(context.containsBean(NoRedisCommandTracing.LETTUCE_OBSERVATION))
                    .isFalse();
        }
    }
}
