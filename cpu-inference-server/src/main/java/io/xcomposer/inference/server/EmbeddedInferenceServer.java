package io.xcomposer.inference.server;

import io.xcomposer.inference.server.grpc.GrpcEndpoint;
import java.nio.file.Path;
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

    /**
     * @param extraProperties further {@code key=value} settings; like the repository and the port they are passed as
     *     command-line arguments, which take precedence over the server's own application.yml
     */
    public static EmbeddedInferenceServer start(Path repository, String... extraProperties) {
        return startOnPort(repository, 0, extraProperties);
    }

    /** {@link #start} on a given port, for tests that stop a server and start another where the first was. */
    public static EmbeddedInferenceServer startOnPort(Path repository, int port, String... extraProperties) {
        String[] args = new String[extraProperties.length + 4];
        args[0] = "--xcomposer.server.repository=" + repository.toAbsolutePath();
        args[1] = "--xcomposer.server.grpc-port=" + port;
        args[2] = "--spring.jmx.enabled=false";
        args[3] = "--spring.config.location=" + ownApplicationYml();
        for (int i = 0; i < extraProperties.length; i++) {
            args[i + 4] = "--" + extraProperties[i];
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(CpuInferenceServerApplication.class)
                .web(WebApplicationType.NONE)
                .run(args);
        return new EmbeddedInferenceServer(context);
    }

    /**
     * The server's own {@code application.yml}: plain {@code classpath:application.yml} would be the host
     * service's (its classes come first), whose settings (health groups naming its own contributors) do not fit.
     */
    private static String ownApplicationYml() {
        String home = CpuInferenceServerApplication.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toString();
        return home.endsWith(".jar") ? "jar:" + home + "!/application.yml" : home + "application.yml";
    }

    public int port() {
        return context.getBean(GrpcEndpoint.class).port();
    }

    public ConfigurableApplicationContext context() {
        return context;
    }

    /**
     * Stops the server as a crash would: every connection and stream is cut at once (no drain, no final
     * responses), then the rest of the application is closed.
     */
    public void kill() {
        context.getBean(GrpcEndpoint.class).kill();
        context.close();
    }

    @Override
    public void close() {
        context.close();
    }
}
