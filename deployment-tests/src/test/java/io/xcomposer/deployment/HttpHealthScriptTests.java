package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docker/http-health, the health check of every image and compose service, run by bash against a real HTTP server on
 * loopback: 200 is healthy, anything else (503 while not ready, nothing listening) is not.
 */
class HttpHealthScriptTests {

    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.server.createContext("/actuator/health/readiness", exchange -> {
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("{}".getBytes());
            exchange.close();
        });
        this.server.createContext("/actuator/health/liveness", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        this.server.start();
    }

    @AfterEach
    void stopServer() {
        this.server.stop(0);
    }

    @Test
    void healthyOnlyWhenThePathAnswers200() throws Exception {
        int port = this.server.getAddress().getPort();
        assertThat(run(port, "/actuator/health/readiness")).isZero();
        assertThat(run(port, "/actuator/health/liveness")).as("503").isNotZero();
        assertThat(run(port, "/missing")).as("404").isNotZero();
    }

    @Test
    void unhealthyWhenNothingListens() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        assertThat(run(closed, "/actuator/health/readiness")).isNotZero();
    }

    private static int run(int port, String path) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        "bash",
                        DeploymentFiles.root().resolve("docker/http-health").toString(),
                        Integer.toString(port),
                        path)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("http-health did not finish");
        }
        return process.exitValue();
    }
}
