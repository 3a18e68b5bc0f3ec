package io.xcomposer.composition.support;

import io.xcomposer.retrieval.RetrievalApplication;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The real retrieval-service (its plain jar, a test dependency), started in this JVM on a free port against the
 * tests' Redis and CPU inference server ({@link InJvmService}), seeded with the tiny gallery.
 */
final class InProcessRetrieval {

    private InProcessRetrieval() {}

    /** Starts the service and returns once the whole gallery is seeded and searchable. */
    static ConfigurableApplicationContext start(RedisServerProcess redis, int inferencePort, Path gallery) {
        Path index;
        try {
            index = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "retrieval-index");
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        // Not closed at exit: its shutdown would race the test Redis's own shutdown hook and wait on a dead Redis.
        ConfigurableApplicationContext context = InJvmService.start(
                RetrievalApplication.class,
                false,
                "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port(),
                "--xcomposer.inference.port=" + inferencePort,
                "--xcomposer.retrieval.index-path=" + index,
                "--xcomposer.retrieval.seed-gallery=" + gallery.toAbsolutePath());
        awaitSeeded(context, gallery);
        return context;
    }

    static String url(ConfigurableApplicationContext context) {
        return InJvmService.url(context);
    }

    /** The seeder runs in the background after start-up; this waits until the index holds every gallery image. */
    private static void awaitSeeded(ConfigurableApplicationContext context, Path gallery) {
        long expected;
        try (var lines = Files.lines(gallery)) {
            expected = lines.filter(line -> !line.isBlank()).count();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        InJvmService.awaitGauge(context, "retrieval.index.size", expected, Duration.ofMinutes(2));
    }
}
