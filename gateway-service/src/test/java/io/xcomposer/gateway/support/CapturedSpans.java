package io.xcomposer.gateway.support;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every ended span of the applications this configuration is added to ({@code --spring.main.sources=}), in one
 * in-memory exporter. Each application keeps its own OpenTelemetry SDK (its own {@code service.name} resource,
 * tracer and propagators), so spans of different services are linked only through what crossed the wire. Spans
 * are exported as they end (a {@link SimpleSpanProcessor}, next to Boot's batching one, which has no exporter
 * here), and an application's shutdown leaves the shared exporter open for the others.
 */
@Configuration(proxyBeanMethods = false)
public class CapturedSpans {

    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();

    public static List<SpanData> all() {
        return SPANS.getFinishedSpanItems();
    }

    public static void clear() {
        SPANS.reset();
    }

    /** The arguments that add this configuration to an application and sample every trace. */
    public static List<String> arguments() {
        return List.of(
                "--spring.main.sources=" + CapturedSpans.class.getName(),
                "--management.tracing.sampling.probability=1.0");
    }

    @Bean
    SpanProcessor capturedSpansProcessor() {
        return SimpleSpanProcessor.create(new SharedExporter());
    }

    private static final class SharedExporter implements SpanExporter {

        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return SPANS.export(spans);
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }
}
