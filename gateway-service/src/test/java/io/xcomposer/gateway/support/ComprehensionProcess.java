package io.xcomposer.gateway.support;

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
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.xcomposer.testsupport.RedisServerProcess;

/**
 * The real comprehension-service, run from its Boot jar as a child process on a free port. Its module publishes
 * only the repackaged (runnable) jar, which cannot be a classpath dependency, so the full-stack tests run it the way
 * production does. Jar: {@code -Dcomprehension.jar=...}, else the newer of the installed artifact and the module's
 * {@code target/} jar.
 */
public final class ComprehensionProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private ComprehensionProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    public static Optional<Path> findJar() {
        String explicit = System.getProperty("comprehension.jar");
        if (explicit != null && !explicit.isBlank()) {
            return Optional.of(Path.of(explicit));
        }
        Path installed = Path.of(System.getProperty("user.home"), ".m2/repository/io/xcomposer/comprehension-service",
                "0.1.0-SNAPSHOT/comprehension-service-0.1.0-SNAPSHOT.jar");
        Path built = Path.of(System.getProperty("user.dir")).resolveSibling("comprehension-service")
                .resolve("target/comprehension-service-0.1.0-SNAPSHOT.jar");
        return Stream.of(installed, built)
                .filter(Files::isRegularFile)
                .max(Comparator.comparingLong(path -> path.toFile().lastModified()));
    }

    /** Whether the jar contains the chat feature at all (checked before paying for a start-up). */
    public static boolean hasChat(Path jar) {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            return zip.stream().anyMatch(entry -> entry.getName()
                    .startsWith("BOOT-INF/classes/io/xcomposer/comprehension/chat/"));
        } catch (IOException e) {
            return false;
        }
    }

    public static ComprehensionProcess start(Path jar, int redisPort, int inferencePort) throws IOException {
        int port = RedisServerProcess.freePort();
        Path log = Files.createTempFile("comprehension", ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString(), "--server.port=" + port, "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + redisPort, "--xcomposer.inference.host=127.0.0.1",
                "--xcomposer.inference.port=" + inferencePort));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        ComprehensionProcess started = new ComprehensionProcess(process, port, log);
        started.awaitReady(Duration.ofSeconds(120));
        return started;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Whether this build of the service has the chat endpoint (an old skeleton jar answers 404). */
    public boolean servesChat() {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(url() + "/v1/chat/completions")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() != 404 || response.body().contains("invalid_request_error");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("comprehension-service exited; log: " + log + "\n" + tail());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(url() + "/actuator/health/readiness")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("comprehension-service not ready in " + timeout + "; log: " + log);
    }

    public String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    File logFile() {
        return log.toFile();
    }
}
