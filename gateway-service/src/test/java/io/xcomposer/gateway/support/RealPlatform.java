package io.xcomposer.gateway.support;

import io.xcomposer.composition.CompositionApplication;
import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.retrieval.RetrievalApplication;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole platform, real, started once per test JVM and shared by the test classes that use it: redis-server, the
 * CPU inference server on model-repository/tiny, comprehension-, composition- and retrieval-service (their plain
 * jars, test dependencies, started in this JVM with {@link InJvmService}; retrieval seeded with the tiny gallery)
 * and a gateway routing to all three, every one on its own free port and talking over real HTTP/gRPC.
 *
 * <p>The gateway's port is picked before retrieval-service starts, so that the gallery image URLs it hands out
 * (its {@code public-base-url}) point at the gateway, as they do in a deployment: a browser loads them through the
 * gateway's public image route. Nothing is closed at exit: the services' shutdown would race the test Redis's own
 * shutdown hook (composition-service's tests do the same with retrieval-service).
 */
public final class RealPlatform {

    private static RealPlatform shared;

    private final Path repository;
    private final RedisServerProcess redis;
    private final EmbeddedInferenceServer model;
    private final ConfigurableApplicationContext retrieval;
    private final ConfigurableApplicationContext comprehension;
    private final ConfigurableApplicationContext composition;
    private final ConfigurableApplicationContext gateway;
    private final int port;

    /** The service token of this platform (random per JVM, as a deployment's Secret would be). */
    public static final String SERVICE_TOKEN = "st-" + java.util.UUID.randomUUID();

    private RealPlatform() {
        repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        Path gallery = repository.resolve("eval/gallery.jsonl").toAbsolutePath();
        redis = RedisServerProcess.shared();
        // Every hop authenticates as in a cluster: one service token, presented by the gateway, composition and
        // the services' model-server client, checked by every service and by the model server.
        model = EmbeddedInferenceServer.start(repository, "xcomposer.server.service-token=" + SERVICE_TOKEN);
        int gatewayPort = freePort();
        String redisHost = "--spring.data.redis.host=" + redis.host();
        String redisPort = "--spring.data.redis.port=" + redis.port();
        String inferenceHost = "--xcomposer.inference.host=127.0.0.1";
        String inferencePort = "--xcomposer.inference.port=" + model.port();
        String serviceToken = "--xcomposer.security.service-token=" + SERVICE_TOKEN;

        retrieval = InJvmService.start(
                RetrievalApplication.class,
                false,
                redisHost,
                redisPort,
                inferenceHost,
                inferencePort,
                serviceToken,
                "--xcomposer.retrieval.index-path=" + tempDirectory("retrieval-index"),
                "--xcomposer.retrieval.seed-gallery=" + gallery,
                "--xcomposer.retrieval.public-base-url=http://127.0.0.1:" + gatewayPort);
        awaitSeeded(retrieval, gallery);
        comprehension = InJvmService.start(
                ComprehensionApplication.class,
                false,
                redisHost,
                redisPort,
                inferenceHost,
                inferencePort,
                serviceToken,
                // the id the gateway lists, as scripts/run, the chart and compose set it
                "--xcomposer.comprehension.model-name=xcomposer-tiny");
        // As InJvmService.start does, plus the WebClient.Builder its (excluded) auto-configuration would give.
        composition = new SpringApplicationBuilder(
                        CompositionApplication.class, InJvmService.OwnNettyResources.class, CompositionWebClient.class)
                .registerShutdownHook(false)
                .run(
                        "--server.port=0",
                        "--spring.config.location=" + ownApplicationYml(CompositionApplication.class),
                        "--spring.jmx.enabled=false",
                        "--management.metrics.use-global-registry=false",
                        redisHost,
                        redisPort,
                        inferenceHost,
                        inferencePort,
                        serviceToken,
                        "--xcomposer.retrieval.base-url=" + InJvmService.url(retrieval),
                        "--xcomposer.composition.poll-interval=50ms");
        gateway = StandaloneGateway.start(
                "--server.port=" + gatewayPort,
                redisHost,
                redisPort,
                "--xcomposer.gateway.comprehension-url=" + InJvmService.url(comprehension),
                "--xcomposer.gateway.composition-url=" + InJvmService.url(composition),
                "--xcomposer.gateway.retrieval-url=" + InJvmService.url(retrieval),
                "--xcomposer.gateway.bootstrap-key=false",
                serviceToken);
        port = StandaloneGateway.port(gateway);
    }

    public static synchronized RealPlatform get() {
        if (shared == null) {
            shared = new RealPlatform();
        }
        return shared;
    }

    /** The gateway's base URL, e.g. {@code http://127.0.0.1:41234}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** A new API key without limits. */
    public String newKey(String name) {
        return gateway.getBean(ApiKeyStore.class)
                .create(name, 0, 0)
                .block(Duration.ofSeconds(10))
                .secret();
    }

    /** A file of model-repository/tiny/eval, e.g. {@code images/00237-0.png}. */
    public Path evalFile(String relative) {
        return repository.resolve("eval").resolve(relative).toAbsolutePath();
    }

    /** Base URLs of the services behind the gateway, by name. */
    public Map<String, String> internalServices() {
        return Map.of(
                "comprehension",
                InJvmService.url(comprehension),
                "composition",
                InJvmService.url(composition),
                "retrieval",
                InJvmService.url(retrieval));
    }

    /** How many images the gallery's index holds now (retrieval-service's {@code retrieval.index.size} gauge). */
    public long gallerySize() {
        var gauge = retrieval
                .getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .find("retrieval.index.size")
                .gauge();
        return gauge == null ? 0 : Math.round(gauge.value());
    }

    public EmbeddedInferenceServer model() {
        return model;
    }

    public ConfigurableApplicationContext gateway() {
        return gateway;
    }

    /** The {@code application.yml} in {@code application}'s own jar or classes folder. */
    private static String ownApplicationYml(Class<?> application) {
        String home =
                application.getProtectionDomain().getCodeSource().getLocation().toString();
        return home.endsWith(".jar") ? "jar:" + home + "!/application.yml" : home + "application.yml";
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempDirectory(String prefix) {
        try {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target")), prefix)
                    .toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The seeder runs in the background after start-up; this waits until the index holds every gallery image. */
    private static void awaitSeeded(ConfigurableApplicationContext retrieval, Path gallery) {
        long expected;
        try (var lines = Files.lines(gallery)) {
            expected = lines.filter(line -> !line.isBlank()).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        InJvmService.awaitGauge(retrieval, "retrieval.index.size", expected, Duration.ofMinutes(2));
    }
}
