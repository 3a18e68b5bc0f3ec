package io.xcomposer.comprehension.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import java.nio.file.Path;

/** The real CPU inference server on the tiny repository, one per test JVM, and its Triton metrics. */
public final class TestModelServer {

    private static EmbeddedInferenceServer server;

    private TestModelServer() {}

    public static synchronized EmbeddedInferenceServer get() {
        if (server == null) {
            server = EmbeddedInferenceServer.start(repository());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }
        return server;
    }

    public static Path repository() {
        return Path.of(System.getProperty("model.repository"));
    }

    /** {@code nv_inference_exec_count} of the vision encoder: how many times the server ran it. */
    public static double visionEncoderExecutions() {
        Counter counter = registry()
                .find("nv_inference_exec_count")
                .tag("model", "vision_encoder")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    /** {@code nv_inference_generations_in_flight} of the llm. */
    public static double generationsInFlight() {
        Gauge gauge = registry()
                .find("nv_inference_generations_in_flight")
                .tag("model", "llm")
                .gauge();
        return gauge == null ? 0 : gauge.value();
    }

    public static double generatedTokens() {
        Counter counter = registry()
                .find("nv_inference_generated_tokens")
                .tag("model", "llm")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static MeterRegistry registry() {
        return get().context().getBean(MeterRegistry.class);
    }
}
