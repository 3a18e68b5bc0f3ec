package io.xcomposer.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Another module's Spring Boot application (from its plain jar, a test dependency) started in this JVM on a free
 * port, next to the gateway. What two Boot applications in one JVM would otherwise share is kept apart:
 * <ul>
 * <li>configuration: {@code classpath:application.yml} is the gateway's (its classes come first), so the service
 *   is pointed at the {@code application.yml} of its own jar or classes folder;</li>
 * <li>Reactor Netty's global event loops, which closing the service would dispose under the gateways and the
 *   loopback double ({@link StandaloneGateway.OwnNettyResources});</li>
 * <li>JMX (one platform MBean server: the second app's beans would clash) and Micrometer's global registry (the
 *   service's meters stay in its own registry).</li>
 * </ul>
 * Every setting is a command-line argument ({@code --key=value}), which beats the service's application.yml.
 */
public final class InJvmService {

    private InJvmService() {
    }

    public static ConfigurableApplicationContext start(Class<?> application, String... args) {
        List<String> all = new ArrayList<>(List.of("--server.port=0",
                "--spring.config.location=" + ownApplicationYml(application), "--spring.jmx.enabled=false",
                "--management.metrics.use-global-registry=false"));
        Collections.addAll(all, args);
        return new SpringApplicationBuilder(application, StandaloneGateway.OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    public static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + StandaloneGateway.port(context);
    }

    /** The {@code application.yml} next to {@code application}'s classes (its jar or its module's target/classes). */
    static String ownApplicationYml(Class<?> application) {
        String home = application.getProtectionDomain().getCodeSource().getLocation().toString();
        try {
            for (URL candidate : Collections.list(application.getClassLoader().getResources("application.yml"))) {
                String url = candidate.toString();
                if (url.equals("jar:" + home + "!/application.yml") || url.equals(home + "application.yml")) {
                    return url;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no application.yml next to " + application.getName() + " in " + home);
    }
}
