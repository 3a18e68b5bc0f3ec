package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import io.xcomposer.gateway.support.SseClient;
import io.xcomposer.gateway.support.SseClient.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;

/**
 * Streaming through the gateway against the loopback double: SSE framing, usage handling, resume with
 * Last-Event-ID without a second generation, cancellation of abandoned streams, request-id propagation.
 */
class StreamingIntegrationTests extends GatewayIntegrationTest {

    @Test
    void stream_carriesIdsAndHeaders_andHidesTheUsageChunkUnlessAsked() {
        String key = newKey();
        SseClient sse = new SseClient(port, key);
        SseClient.Response plain = sse.post("/v1/chat/completions", chat(11, 12, false), Map.of());
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(plain.header("Content-Type")).startsWith("text/event-stream");
        assertThat(plain.header("X-Stream-Id")).startsWith("strm_");
        List<Event> events = plain.readAll();
        assertThat(events).extracting(Event::id).doesNotContainNull();
        assertThat(events.get(0).id()).isEqualTo("1");
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        assertThat(events).noneMatch(event -> event.data().contains("\"usage\":{"));
        assertThat(SseClient.text(events)).isEqualTo(DOWNSTREAM.expectedText(11, 12));

        List<Event> withUsage =
                sse.post("/v1/chat/completions", chat(11, 12, true), Map.of()).readAll();
        assertThat(withUsage.get(withUsage.size() - 2).data()).contains("\"total_tokens\":17");
    }

    @Test
    void resume_afterADroppedConnection_joinsToTheUninterruptedText_withOneGeneration() throws Exception {
        String key = newKey();
        SseClient sse = new SseClient(port, key);
        String uninterrupted = SseClient.text(
                sse.post("/v1/chat/completions", chat(42, 40, false), Map.of()).readAll());

        int before = DOWNSTREAM.generations.get();
        SseClient.Response first = sse.post("/v1/chat/completions", chat(42, 40, false), Map.of());
        String streamId = first.header("X-Stream-Id");
        List<Event> head = first.read(8);
        first.close(); // the client drops mid-stream
        String lastId = head.get(head.size() - 1).id();

        SseClient.Response resumed = sse.get("/v1/streams/" + streamId, Map.of("Last-Event-ID", lastId));
        assertThat(resumed.status()).isEqualTo(200);
        List<Event> tail = resumed.readAll();
        assertThat(Long.parseLong(tail.get(0).id())).isEqualTo(Long.parseLong(lastId) + 1);
        assertThat(SseClient.text(head) + SseClient.text(tail)).isEqualTo(uninterrupted);
        assertThat(tail.get(tail.size() - 1).data()).isEqualTo("[DONE]");
        assertThat(DOWNSTREAM.generations.get() - before)
                .as("generations for the resumed stream")
                .isEqualTo(1);
    }

    @Test
    void resume_byAnotherKey_is404() {
        SseClient owner = new SseClient(port, newKey());
        SseClient.Response response = owner.post("/v1/chat/completions", chat(1, 5, false), Map.of());
        String streamId = response.header("X-Stream-Id");
        response.readAll();
        SseClient.Response other = new SseClient(port, newKey()).get("/v1/streams/" + streamId, Map.of());
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.body()).contains("stream_not_found");
    }

    @Test
    void abandonedStream_cancelsTheDownstreamAfterTheGrace() throws Exception {
        String key = newKey();
        int cancelledBefore = DOWNSTREAM.cancellations.get();
        // 400 tokens at 10 ms: about 4 s of generation, longer than the 1.5 s grace the tests configure.
        SseClient.Response response =
                new SseClient(port, key).post("/v1/chat/completions", chat(3, 400, false), Map.of());
        response.read(3);
        response.close();
        await().atMost(Duration.ofSeconds(4))
                .untilAsserted(() -> assertThat(DOWNSTREAM.cancellations.get()).isGreaterThan(cancelledBefore));
    }

    @Test
    void requestId_isPropagatedToTheDownstream() {
        String key = newKey();
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .header("X-Request-Id", "trace-abc-123")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(chat(1, 3, false).replace("\"stream\":true", "\"stream\":false"))
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("X-Request-Id", "trace-abc-123");
        assertThat(DOWNSTREAM.requestIds).contains("trace-abc-123");
    }

    @Test
    void downstreamErrors_passThroughWithTheirStatusAndShape() {
        String key = newKey();
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"xcomposer-tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"please-fail-400\"}]}")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.param")
                .isEqualTo("temperature");
    }

    @Test
    void gatewayValidation_unknownModelIs404_invalidJsonIs400_tooLargeIs413() {
        String key = newKey();
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("model_not_found");
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{not json")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("invalid_json");
        String huge = "{\"model\":\"xcomposer-tiny\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "a".repeat(3 * 1024 * 1024) + "\"}]}";
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(huge)
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("request_too_large");
    }

    @Test
    void embeddings_textAndImages_inOpenAiShape() {
        String key = newKey();
        client().post()
                .uri("/v1/embeddings")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "xcomposer-tiny", "input", List.of("a red square", "two circles")))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.object")
                .isEqualTo("list")
                .jsonPath("$.data.length()")
                .isEqualTo(2)
                .jsonPath("$.data[1].index")
                .isEqualTo(1)
                .jsonPath("$.data[0].embedding[1]")
                .isEqualTo(0.8)
                .jsonPath("$.usage.prompt_tokens")
                .isEqualTo(5);
        client().post()
                .uri("/v1/embeddings")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of(
                        "model",
                        "xcomposer-tiny",
                        "input",
                        List.of(Map.of(
                                "type", "image_url", "image_url", Map.of("url", "img_00112233445566778899aabb")))))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.data.length()")
                .isEqualTo(1);
    }

    @Test
    void nativeRoutes_passThrough_andImageContentIsPublic() {
        String key = newKey();
        client().post()
                .uri("/v1/compositions")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("title", "Shapes"))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody()
                .jsonPath("$.id")
                .isEqualTo("cmp_test1");
        client().get()
                .uri("/v1/gallery/images/g1/content")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentType("image/png");
        client().post()
                .uri("/v1/compositions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("title", "Shapes"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    static String chat(long seed, int maxTokens, boolean includeUsage) {
        return "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"seed\":" + seed + ",\"max_tokens\":" + maxTokens
                + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Describe the picture.\"}]}";
    }
}
