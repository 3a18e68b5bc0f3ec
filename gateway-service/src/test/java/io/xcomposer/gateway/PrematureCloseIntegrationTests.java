package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.ClosingDownstream;
import io.xcomposer.gateway.support.SseClient;
import io.xcomposer.gateway.support.SseClient.Event;
import io.xcomposer.gateway.support.StandaloneGateway;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A downstream whose connection closes mid-stream (its process died): the gateway relays an {@code error} event with
 * code {@code upstream_stream_interrupted} and ends the stream properly — for chat in OpenAI's stream shape followed
 * by {@code [DONE]}, and in the stream's log so a resumed client gets it too; for composition events, once
 * reconnecting has failed for {@code http.stream-resume-window}, as an {@code error} event — and logs it at WARN, not as an ERROR with a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class PrematureCloseIntegrationTests {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private final ClosingDownstream downstream = new ClosingDownstream();
    private ConfigurableApplicationContext gateway;
    private SseClient sse;

    @BeforeAll
    void start() {
        gateway = StandaloneGateway.start(
                "--server.port=0",
                "--spring.data.redis.port=" + RedisServerProcess.shared().port(),
                "--xcomposer.gateway.comprehension-url=" + downstream.url(),
                "--xcomposer.gateway.composition-url=" + downstream.url(),
                // the double dies on every reconnect too: the gateway's resume gives up after this
                "--xcomposer.gateway.http.stream-resume-window=1s",
                "--xcomposer.gateway.bootstrap-key=false");
        String key = gateway.getBean(ApiKeyStore.class)
                .create("premature-close", 0, 0)
                .block(Duration.ofSeconds(5))
                .secret();
        sse = new SseClient(StandaloneGateway.port(gateway), key);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        downstream.close();
    }

    @Test
    void chat_cutOffMidStream_endsWithAnInterruptedErrorAndDone_alsoOnResume(CapturedOutput output) {
        long began = System.nanoTime();
        SseClient.Response response = sse.post("/v1/chat/completions", chat("killed"), Map.of());
        assertThat(response.status()).isEqualTo(200);
        String streamId = response.header("X-Stream-Id");
        List<Event> events = response.readAll();
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf(
                "premature close (chat): %d events, error and [DONE] after %d ms%n", events.size(), took.toMillis());

        assertEndsInterrupted(events);
        assertThat(SseClient.text(events)).isEqualTo("red ");
        assertThat(took).isLessThan(BOUND);

        List<Event> resumed =
                sse.get("/v1/streams/" + streamId, Map.of("Last-Event-ID", "0")).readAll();
        assertThat(resumed)
                .extracting(Event::data)
                .containsExactlyElementsOf(events.stream().map(Event::data).toList());
        assertLoggedAsWarning(output);
    }

    @Test
    void chat_closedCleanlyWithoutDone_isAlsoAnInterruption() {
        List<Event> events =
                sse.post("/v1/chat/completions", chat("clean-end"), Map.of()).readAll();
        assertEndsInterrupted(events);
    }

    @Test
    void compositionEvents_cutOffMidArticle_endWithAnErrorEvent(CapturedOutput output) {
        long began = System.nanoTime();
        SseClient.Response response = sse.get("/v1/compositions/cmp_test1/events", Map.of());
        assertThat(response.status()).isEqualTo(200);
        List<Event> events = response.readAll(); // a reset connection would throw here
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        System.out.printf(
                "premature close (composition): %d events, error after %d ms%n", events.size(), took.toMillis());

        assertThat(events.get(0).event()).isEqualTo("text_delta");
        Event last = events.get(events.size() - 1);
        assertThat(last.event()).isEqualTo("error");
        assertThat(last.data()).startsWith("{\"error\":{").contains("\"code\":\"upstream_stream_interrupted\"");
        assertThat(events).filteredOn(event -> "error".equals(event.event())).hasSize(1);
        assertThat(took).isLessThan(BOUND);
        assertLoggedAsWarning(output);
    }

    private static void assertEndsInterrupted(List<Event> events) {
        assertThat(events).hasSizeGreaterThanOrEqualTo(3);
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        String error = events.get(events.size() - 2).data();
        assertThat(error)
                .startsWith("{\"error\":{")
                .contains("\"code\":\"upstream_stream_interrupted\"")
                .contains("\"type\":\"server_error\"");
    }

    private static void assertLoggedAsWarning(CapturedOutput output) {
        assertThat(output.getOut() + output.getErr())
                .contains("stream broke off")
                .doesNotContain(" ERROR ")
                .doesNotContain("PrematureCloseException: Connection prematurely closed\n\tat");
    }

    private static String chat(String marker) {
        return "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + marker
                + "\"}]}";
    }
}
