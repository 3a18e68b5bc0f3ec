package io.xcomposer.retrieval;

import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real infrastructure for the integration tests: one redis-server process and one CPU inference server serving
 * the tiny model repository, shared by the JVM; gallery applications are started as plain Spring contexts so a
 * test can stop one and start another on the same Redis and index directory (a restart).
 */
final class GalleryTestSupport {

    static final Path REPOSITORY = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));

    static final Path GALLERY = REPOSITORY.resolve("eval/gallery.jsonl");

    private static EmbeddedInferenceServer inference;

    private GalleryTestSupport() {}

    static synchronized EmbeddedInferenceServer inference() {
        if (inference == null) {
            inference = EmbeddedInferenceServer.start(REPOSITORY);
            Runtime.getRuntime().addShutdownHook(new Thread(inference::close));
        }
        return inference;
    }

    /** Starts the service on a free port against the shared Redis and model server. */
    static ConfigurableApplicationContext startApp(String keyPrefix, Path indexPath, String... extra) {
        return startApp(RedisServerProcess.shared(), keyPrefix, indexPath, extra);
    }

    /** {@link #startApp(String, Path, String...)} against a Redis of the test's own, e.g. one it kills. */
    static ConfigurableApplicationContext startApp(
            RedisServerProcess redis, String keyPrefix, Path indexPath, String... extra) {
        return startApp(redis, inference().port(), keyPrefix, indexPath, extra);
    }

    /** {@link #startApp(RedisServerProcess, String, Path, String...)} against a model server on {@code inferencePort}. */
    static ConfigurableApplicationContext startApp(
            RedisServerProcess redis, int inferencePort, String keyPrefix, Path indexPath, String... extra) {
        List<String> properties = new ArrayList<>(List.of(
                "server.port=0",
                "spring.jmx.enabled=false",
                "spring.data.redis.host=" + redis.host(),
                "spring.data.redis.port=" + redis.port(),
                "xcomposer.inference.port=" + inferencePort,
                "xcomposer.retrieval.key-prefix=" + keyPrefix,
                "xcomposer.retrieval.index-path=" + indexPath,
                "xcomposer.retrieval.sync-interval=200ms",
                "xcomposer.retrieval.job-lease=3s"));
        properties.addAll(List.of(extra));
        // As command-line arguments: default properties would lose to application.yml.
        return new SpringApplicationBuilder(RetrievalApplication.class)
                .run(properties.stream().map(property -> "--" + property).toArray(String[]::new));
    }

    static WebTestClient client(ConfigurableApplicationContext context) {
        String port = context.getEnvironment().getProperty("local.server.port");
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(60))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(32 * 1024 * 1024))
                .build();
    }

    /**
     * A seed gallery of the first {@code count} images of the tiny gallery, in a temporary folder (image paths made
     * absolute, which the seeder resolves as they are): a seed small enough to finish within a readiness bound.
     */
    static Path smallGallery(int count) {
        try {
            Path dir = Files.createTempDirectory("seed-gallery");
            JsonMapper json = JsonMapper.builder().build();
            List<String> lines = new ArrayList<>();
            for (JsonNode line : galleryLines(json).subList(0, count)) {
                ObjectNode copy = (ObjectNode) line.deepCopy();
                copy.put(
                        "image",
                        GALLERY.toAbsolutePath()
                                .getParent()
                                .resolve(line.get("image").asString())
                                .toString());
                lines.add(json.writeValueAsString(copy));
            }
            return Files.write(dir.resolve("gallery.jsonl"), lines);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static List<JsonNode> galleryLines(JsonMapper json) {
        try {
            return Files.readAllLines(GALLERY).stream()
                    .filter(line -> !line.isBlank())
                    .map(json::readTree)
                    .toList();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] imageBytes(JsonNode line) {
        try {
            return Files.readAllBytes(
                    GALLERY.getParent().resolve(line.get("image").asString()));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
