package io.xcomposer.inference.server;

import java.nio.file.Path;

import io.xcomposer.inference.server.grpc.GrpcServerLifecycle;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The CPU inference server started inside another JVM, on a free loopback port: for services' integration tests,
 * which then talk to it over real gRPC/TCP exactly as they would to Triton.
 */
public final class EmbeddedInferenceServer implements AutoCloseable {

    private final ConfigurableApplicationContext context;

    private EmbeddedInferenceServer(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static EmbeddedInferenceServer start(Path repository, String... extraProperties) {
        String[] properties = new String[extraProperties.length + 3];
        properties[0] = "xcomposer.server.repository=" + repository.toAbsolutePath();
        properties[1] = "xcomposer.server.grpc-port=0";
        properties[2] = "spring.jmx.enabled=false";
        System.arraycopy(extraProperties, 0, properties, 3, extraProperties.length);
        ConfigurableApplicationContext context = new SpringApplicationBuilder(CpuInferenceServerApplication.class)
                .web(WebApplicationType.NONE)
                .properties(properties)
                .run();
        return new EmbeddedInferenceServer(context);
    }

    public int port() {
        return context.getBean(GrpcServerLifecycle.class).port();
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    @Override
    public void close() {
        context.close();
    }
}
