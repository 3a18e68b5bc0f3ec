package io.xcomposer.inference.client.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class InferenceClientAutoConfigurationTests {

    private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(InferenceClientAutoConfiguration.class));

    @Test
    void defaults_matchTheDocumentedValues() {
        this.contextRunner.run(context -> {
            assertThat(context).hasSingleBean(TritonClient.class);
            TritonClientOptions options =
                    context.getBean(InferenceClientProperties.class).toOptions();
            assertThat(options)
                    .isEqualTo(new TritonClientOptions(
                            "127.0.0.1",
                            8001,
                            false,
                            Duration.ofSeconds(30),
                            Duration.ofSeconds(300),
                            64 * 1024 * 1024));
            assertThat(context.getBean(InferenceClientProperties.class).readyTimeout())
                    .isEqualTo(Duration.ofSeconds(60));
        });
    }

    @Test
    void properties_overrideTheDefaults() {
        this.contextRunner
                .withPropertyValues(
                        "xcomposer.inference.host=triton.internal",
                        "xcomposer.inference.port=9001",
                        "xcomposer.inference.tls=true",
                        "xcomposer.inference.unary-deadline=5s",
                        "xcomposer.inference.generation-deadline=2m",
                        "xcomposer.inference.max-inbound-message-size=128MB")
                .run(context -> assertThat(
                                context.getBean(InferenceClientProperties.class).toOptions())
                        .isEqualTo(new TritonClientOptions(
                                "triton.internal",
                                9001,
                                true,
                                Duration.ofSeconds(5),
                                Duration.ofMinutes(2),
                                128 * 1024 * 1024)));
    }

    @Test
    void applicationClient_replacesTheAutoConfiguredOne() {
        TritonClient own = TritonClient.connect(TritonClientOptions.of("localhost", 1), new SimpleMeterRegistry());

        this.contextRunner
                .withBean(TritonClient.class, () -> own)
                .run(context -> assertThat(context.getBean(TritonClient.class)).isSameAs(own));
    }
}
