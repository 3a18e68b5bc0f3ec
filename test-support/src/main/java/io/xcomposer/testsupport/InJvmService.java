package io.xcomposer.testsupport;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.awaitility.Awaitility;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Another module's Spring Boot service (its plain jar, a test dependency, or its classes in a reactor build) started
 * in the test JVM on a free port, so integration tests talk to the real service over HTTP. What two Boot
 * applications in one JVM would otherwise share is kept apart:
 * <ul>
 * <li>configuration: {@code classpath:application.yml} resolves to the test module's own file (its classes come
 *   first), so the service is pointed at the {@code application.yml} of its own jar or classes folder;</li>
 * <li>Reactor Netty's global event loops, which closing one application would dispose under the others
 *   ({@link OwnNettyResources});</li>
 * <li>JMX (one platform MBean server) and Micrometer's global registry.</li>
 * </ul>
 * Every setting is a command-line argument ({@code --key=value}), which beats the service's application.yml.
 */
public final class InJvmService {

    private InJvmService() {}

    public static ConfigurableApplicationContext start(Class<?> application, String... args) {
        return start(application, true, args);
    }

    /**
     * @param closeAtExit false to skip the JVM shutdown hook, for a service whose shutdown would wait on processes
     *     (such as the test Redis) that their own hooks stop at the same time
     */
    public static ConfigurableApplicationContext start(Class<?> application, boolean closeAtExit, String... args) {
        List<String> all = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.config.location=" + ownApplicationYml(application),
                "--spring.jmx.enabled=false",
                "--management.metrics.use-global-registry=false"));
        Collections.addAll(all, args);
        return new SpringApplicationBuilder(application, OwnNettyResources.class)
                .registerShutdownHook(closeAtExit)
                .run(all.toArray(String[]::new));
    }

    public static int port(ConfigurableApplicationContext context) {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public static String url(ConfigurableApplicationContext context) {
        return "http://127.0.0.1:" + port(context);
    }

    /**
     * Waits until the service's gauge {@code name} reaches {@code atLeast} — for work a service finishes after its
     * start-up returned, such as indexing a seeded gallery.
     */
    public static void awaitGauge(
            ConfigurableApplicationContext context, String name, double atLeast, Duration timeout) {
        MeterRegistry registry = context.getBean(MeterRegistry.class);
        // Awaitility's timeout error names the gauge and the last value it read.
        Awaitility.await("gauge " + name + " ≥ " + atLeast)
                .atMost(timeout)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> gaugeValue(registry, name), value -> value >= atLeast);
    }

    private static double gaugeValue(MeterRegistry registry, String name) {
        Gauge gauge = registry.find(name).gauge();
        return gauge == null ? 0 : gauge.value();
    }

    /** The {@code application.yml} next to {@code application}'s classes (its jar or its module's target/classes). */
    static String ownApplicationYml(Class<?> application) {
        String home =
                application.getProtectionDomain().getCodeSource().getLocation().toString();
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

    /** Own Reactor Netty resources: closing one application must not dispose another's event loops. */
    @Configuration(proxyBeanMethods = false)
    public static class OwnNettyResources {

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            return factory;
        }
    }
}
