package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TestModelServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Server-sent events in OpenAI's chunk format, and cancellation reaching the model server. */
@IntegrationTest
class StreamingIntegrationTests {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT =
            new ParameterizedTypeReference<>() {};

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    @Test
    void streamsChunksThenFinishUsageAndDone() {
        HeldOut item = HeldOut.first("caption", "en", 1).get(0);
        Map<String, Object> body = Chat.request(
                null,
                Chat.user(
                        Chat.image(HeldOut.dataUrl(item.images().get(0))),
                        Chat.text(item.questions().get(0))));
        String unstreamed = Chat.answer(Chat.complete(this.client, body));
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));

        FluxExchangeResult<ServerSentEvent<String>> result = post(body);

        assertThat(result.getResponseHeaders().getFirst("X-Accel-Buffering")).isEqualTo("no");
        assertThat(result.getResponseHeaders().getFirst("X-Request-Id")).isNotBlank();
        assertThat(result.getResponseHeaders().getContentType().isCompatibleWith(MediaType.TEXT_EVENT_STREAM))
                .isTrue();
        List<String> data = result.getResponseBody()
                .filter(event -> event.data() != null)
                .map(ServerSentEvent::data)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        List<JsonNode> chunks = data.subList(0, data.size() - 1).stream()
                .map(this.json::readTree)
                .toList();
        assertThat(chunks).allSatisfy(chunk -> {
            assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.get("id").asString())
                    .isEqualTo(chunks.get(0).get("id").asString());
        });
        assertThat(chunks.get(0).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isGreaterThan(18);
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
        assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
        StringBuilder text = new StringBuilder();
        chunks.forEach(chunk -> text.append(chunk.at("/choices/0/delta/content").asString("")));
        assertThat(text.toString())
                .as("streamed text = non-streamed answer (greedy)")
                .isEqualTo(unstreamed)
                .isNotBlank();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isPositive();
    }

    @Test
    void cancellingTheStreamStopsGenerationOnTheServerWithinOneSecond() {
        HeldOut article = HeldOut.first("write", "en", 1).get(0);
        Map<String, Object> body =
                Chat.request(null, Chat.user(Chat.text(article.questions().get(0))));
        body.put("stream", true);
        body.put("max_tokens", 400);
        double tokensBefore = TestModelServer.generatedTokens();

        Flux<ServerSentEvent<String>> events = post(body).getResponseBody();
        List<ServerSentEvent<String>> firstEvents = events.take(4).collectList().block(Duration.ofSeconds(30));

        assertThat(firstEvents).hasSize(4);
        long cancelledAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> TestModelServer.generationsInFlight() == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - cancelledAt)).isLessThan(Duration.ofSeconds(1));
        assertThat(TestModelServer.generatedTokens() - tokensBefore)
                .as("tokens generated before the cancel")
                .isLessThan(400);
    }

    private FluxExchangeResult<ServerSentEvent<String>> post(Map<String, Object> body) {
        return this.client
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(EVENT);
    }
}
