package io.xcomposer.composition.support;

import io.xcomposer.composition.CompositionApplication;
import io.xcomposer.testsupport.RedisServerProcess;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * composition-service as a real child JVM (this test JVM's classpath, its own {@code application.yml}) against the
 * tests' Redis, CPU inference server and retrieval-service ({@link TestEnvironment}), so a test can SIGKILL it
 * mid-composition and start it again. Its log goes to {@code target/replica-<name>-<n>.log}.
 */
public final class ReplicaProcess implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofMinutes(2);

    private static int started;

    private final Process process;

    private final int port;

    private final Path log;

    private ReplicaProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a replica on {@code port} (0 = a free one) with the given replica id and extra {@code --key=value}
     * settings; does not wait for it ({@link #awaitReady}), so several can start at once.
     */
    public static ReplicaProcess start(String replicaId, int port, String... settings) {
        TestEnvironment environment = TestEnvironment.get();
        int listen = port != 0 ? port : RedisServerProcess.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                System.getProperty("java.class.path"),
                CompositionApplication.class.getName(),
                "--server.port=" + listen,
                "--server.address=127.0.0.1",
                "--spring.config.location=" + ownApplicationYml(),
                "--spring.data.redis.host=" + environment.redis().host(),
                "--spring.data.redis.port=" + environment.redis().port(),
                "--xcomposer.inference.port=" + environment.inference().port(),
                "--xcomposer.retrieval.base-url=" + environment.retrievalProxy().baseUrl(),
                "--xcomposer.composition.poll-interval=50ms",
                "--xcomposer.composition.lease.replica-id=" + replicaId));
        command.addAll(List.of(settings));
        try {
            Path log =
                    Files.createDirectories(Path.of("target")).resolve("replica-" + replicaId + "-" + next() + ".log");
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new ReplicaProcess(process, listen, log);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot start " + java, ex);
        }
    }

    /** Waits until readiness answers 200; fails at once if the process exits. Returns this. */
    public ReplicaProcess awaitReady() {
        HttpClient client =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest readiness = HttpRequest.newBuilder(URI.create(url() + "/actuator/health/readiness"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!this.process.isAlive()) {
                throw new IllegalStateException(
                        "replica exited with " + this.process.exitValue() + "; see " + this.log);
            }
            try {
                if (client.send(readiness, HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            sleep(200);
        }
        throw new IllegalStateException("replica not ready within " + READY_WITHIN + "; see " + this.log);
    }

    public String url() {
        return "http://127.0.0.1:" + this.port;
    }

    public int port() {
        return this.port;
    }

    /** SIGKILL (what {@link Process#destroyForcibly} sends on Linux): no shutdown hook, no cleanup. */
    public void kill() {
        this.process.destroyForcibly();
        try {
            if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("replica did not die within 10 s");
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** SIGTERM: Spring's orderly shutdown; waits up to 60 s for the process to exit. */
    public void stop() {
        this.process.destroy();
        try {
            if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("replica did not stop within 60 s; see " + this.log);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        if (this.process.isAlive()) {
            kill();
        }
    }

    /** The service's own application.yml (target/classes), not another module's on the test classpath. */
    private static String ownApplicationYml() {
        File classes = new File(CompositionApplication.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath());
        return classes.toPath().resolve("application.yml").toUri().toString();
    }

    private static synchronized int next() {
        return ++started;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
