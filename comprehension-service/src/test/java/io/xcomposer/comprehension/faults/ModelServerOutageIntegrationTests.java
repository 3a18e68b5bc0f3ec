package io.xcomposer.comprehension.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model server on a fixed loopback port, absent when the service starts, then killed mid-stream (every
 * connection cut at once, as a crash does) and restarted on the same port after an outage long enough for gRPC's
 * own reconnect back-off to grow to seconds.
 */
class ModelServerOutageIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final int port = RedisServerProcess.freePort();

    private ConfigurableApplicationContext service;

    private EmbeddedInferenceServer server;

    private String url;

    @AfterEach
    void stop() {
        if (this.server != null) {
            this.server.close();
        }
        if (this.service != null) {
            this.service.close();
        }
    }

    @Test
    void serviceStartsWithoutTheModelServerAndRecoversFromItsCrashWithinSeconds() throws Exception {
        RedisServerProcess redis = RedisServerProcess.shared();
        long starting = System.nanoTime();
        this.service = InJvmService.start(
                ComprehensionApplication.class,
                false,
                "--xcomposer.inference.port=" + this.port,
                "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port());
        this.url = InJvmService.url(this.service);
        System.out.printf("started without model server in %d ms%n", millisSince(starting));
        assertThat(get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness").status()).isEqualTo(503);
        Answer refused = chat(false, 8);
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(JSON.readTree(refused.body()).at("/error/code").asString()).isEqualTo("model_server_unavailable");

        this.server = startModelServer();
        Answer ready = HttpProbe.await(
                () -> get("/actuator/health/readiness"), answer -> answer.status() == 200, Duration.ofSeconds(5));
        System.out.printf(
                "ready %d ms after the model server appeared%n", ready.took().toMillis());
        assertThat(chat(false, 8).status()).isEqualTo(200);

        // Killed mid-answer: the stream ends promptly with its own error code, not as overload.
        List<String> events = new ArrayList<>();
        long[] killedAt = new long[1];
        try (Stream<String> lines = streamChat(64)) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (line.startsWith("data:")) {
                    events.add(line);
                    if (killedAt[0] == 0 && line.contains("\"content\":\"") && !line.contains("\"content\":\"\"")) {
                        killedAt[0] = System.nanoTime();
                        this.server.kill();
                    }
                }
            }
        }
        long endedAfterKill = millisSince(killedAt[0]);
        System.out.printf("stream ended %d ms after the kill, %d events%n", endedAfterKill, events.size());
        assertThat(killedAt[0]).as("the stream produced text before the kill").isNotZero();
        String error = events.stream()
                .filter(event -> event.contains("\"error\""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no error event in " + events));
        assertThat(JSON.readTree(error.substring(5)).at("/error/code").asString())
                .isEqualTo("model_stream_interrupted");
        assertThat(events.get(events.size() - 1)).isEqualTo("data:[DONE]");
        assertThat(endedAfterKill).isLessThan(2000);

        // While it is down, chats are refused fast; the outage lasts long enough for gRPC's back-off to grow.
        long down = System.nanoTime();
        while (System.nanoTime() - down < Duration.ofSeconds(5).toNanos()) {
            Answer during = chat(false, 8);
            assertThat(during.status()).as(during.body()).isEqualTo(503);
            assertThat(during.took()).isLessThan(Duration.ofSeconds(3));
            Thread.sleep(200);
        }
        assertThat(HttpProbe.await(
                                () -> get("/actuator/health/readiness"),
                                answer -> answer.status() == 503,
                                Duration.ofSeconds(5))
                        .status())
                .isEqualTo(503);

        this.server = startModelServer();
        Answer first = HttpProbe.await(() -> chat(false, 8), answer -> answer.status() == 200, Duration.ofSeconds(10));
        System.out.printf(
                "first successful chat %d ms after the restarted model server was ready%n",
                first.took().toMillis());
        assertThat(first.took()).isLessThanOrEqualTo(Duration.ofSeconds(2));
    }

    /**
     * The tiny model answers in ~30 tokens at ~600 tokens/s, faster than a test can react to its first one; 20 ms
     * per token keeps a generation running for the half second the kill needs to land mid-stream.
     */
    private EmbeddedInferenceServer startModelServer() {
        return EmbeddedInferenceServer.startOnPort(
                TestModelServer.repository(), this.port, "xcomposer.server.token-delay=20ms");
    }

    private Answer get(String path) {
        return HttpProbe.get(this.url + path, CALL_TIMEOUT);
    }

    private Answer chat(boolean stream, int maxTokens) {
        return HttpProbe.postJson(this.url + "/v1/chat/completions", body(stream, maxTokens), CALL_TIMEOUT);
    }

    private Stream<String> streamChat(int maxTokens) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(this.url + "/v1/chat/completions"))
                .timeout(CALL_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(true, maxTokens)))
                .build();
        try {
            HttpResponse<Stream<String>> response =
                    HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError(response.statusCode() + " "
                        + String.join("\n", response.body().toList()));
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String body(boolean stream, int maxTokens) {
        return JSON.createObjectNode()
                .put("model", "xcomposer")
                .put("max_tokens", maxTokens)
                .put("temperature", 0)
                .put("stream", stream)
                .set("messages", JSON.readTree("[{\"role\":\"user\",\"content\":\"Tell a long story.\"}]"))
                .toString();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }
}
