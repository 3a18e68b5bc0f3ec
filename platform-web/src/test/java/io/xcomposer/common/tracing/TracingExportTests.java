package io.xcomposer.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.otlp.OtlpTracingAutoConfiguration;
import org.springframework.boot.opentelemetry.autoconfigure.OpenTelemetrySdkAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * What every application gets from platform-web's tracing dependencies: no span exporter, so no connection
 * anywhere, until an OTLP endpoint is configured; then one OTLP/HTTP exporter, sending with the JDK's client.
 */
class TracingExportTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    OpenTelemetrySdkAutoConfiguration.class,
                    OpenTelemetryTracingAutoConfiguration.class,
                    OtlpTracingAutoConfiguration.class));

    @Test
    void withoutAnEndpoint_nothingIsExported() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(SpanExporter.class));
    }

    @Test
    void withAnEndpoint_spansGoThereOverOtlpHttp() {
        runner.withPropertyValues(
                        "management.opentelemetry.tracing.export.otlp.endpoint=http://127.0.0.1:4318/v1/traces")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(OtlpHttpSpanExporter.class);
                    assertThat(context.getBean(OtlpHttpSpanExporter.class).toString())
                            .contains("127.0.0.1:4318")
                            .doesNotContain("OkHttp");
                });
    }
}
