package io.xcomposer.retrieval.index;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real single-node OpenSearch (2.19, k-NN plugin, Lucene engine) on loopback, in a child JVM whose classpath the
 * {@code opensearch-test-node} module assembled, so none of its jars reach this JVM. Start-up takes 30–90 s on a
 * shared 2-core machine; closing stdin stops the node (also when this JVM dies).
 */
final class OpenSearchTestCluster implements AutoCloseable {

    private static final long START_SECONDS = 240;

    private final Process process;

    private final Path home;

    private final URI uri;

    private OpenSearchTestCluster(Process process, Path home, URI uri) {
        this.process = process;
        this.home = home;
        this.uri = uri;
    }

    static OpenSearchTestCluster start() throws IOException, InterruptedException {
        Properties build = new Properties();
        try (InputStream in = OpenSearchTestCluster.class.getResourceAsStream("/opensearch-test-node.properties")) {
            if (in == null) {
                throw new IllegalStateException("opensearch-test-node is not on the test classpath");
            }
            build.load(in);
        }
        Path lib = Path.of(build.getProperty("lib"));
        // The launcher's classes as built (the reactor hands this module a jar in verify, a folder in test).
        String classes = build.getProperty("classes");
        Path home = Files.createTempDirectory("opensearch-test-node");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process process = new ProcessBuilder(List.of(
                        java,
                        "-Xms512m",
                        "-Xmx512m",
                        "-cp",
                        classes + ":" + lib + "/*",
                        "io.xcomposer.opensearchnode.OpenSearchTestNode",
                        home.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        CompletableFuture<URI> address = CompletableFuture.supplyAsync(() -> readAddress(process, home));
        try {
            return new OpenSearchTestCluster(process, home, address.get(START_SECONDS, TimeUnit.SECONDS));
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "OpenSearch test node did not start within " + START_SECONDS + " s; log: "
                            + home.resolve("node.log"),
                    e);
        }
    }

    /** Copies the node's output to HOME/node.log and returns the address from its "HTTP host:port" line. */
    private static URI readAddress(Process process, Path home) {
        try {
            var log = Files.newBufferedWriter(home.resolve("node.log"));
            BufferedReader reader =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                if (line.startsWith("HTTP ")) {
                    Thread.ofVirtual().start(() -> drain(reader, log));
                    return URI.create("http://" + line.substring(5).trim());
                }
            }
            throw new IllegalStateException("OpenSearch test node exited; log: " + home.resolve("node.log"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader reader, java.io.Writer log) {
        try (log) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line + System.lineSeparator());
            }
        } catch (IOException e) {
            // The node went away; nothing more to copy.
        }
    }

    URI uri() {
        return this.uri;
    }

    @Override
    public void close() throws Exception {
        this.process.getOutputStream().close();
        if (!this.process.waitFor(60, TimeUnit.SECONDS)) {
            this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(this.home)) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
    }
}
