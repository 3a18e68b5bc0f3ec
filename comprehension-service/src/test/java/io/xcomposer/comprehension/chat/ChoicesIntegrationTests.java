package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code n}: independent samples, choice i seeded with the request's seed + i, on the tiny model. Choice 0 is the
 * answer the same request with {@code n = 1} gets; the usage counts the prompt once and every choice's tokens.
 */
@IntegrationTest
class ChoicesIntegrationTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    @Test
    void nSamplesAreIndexedSeededFromTheRequestAndSummedInUsage() {
        JsonNode single = Chat.complete(this.client, sampled(1, 11));
        JsonNode three = Chat.complete(this.client, sampled(3, 11));
        JsonNode shifted = Chat.complete(this.client, sampled(1, 12));

        assertThat(three.path("choices")).hasSize(3);
        List<String> answers = new ArrayList<>();
        int completionTokens = 0;
        for (int index = 0; index < 3; index++) {
            JsonNode choice = three.path("choices").get(index);
            assertThat(choice.path("index").asInt()).isEqualTo(index);
            assertThat(choice.path("finish_reason").asString()).isIn("stop", "length");
            answers.add(choice.at("/message/content").asString());
        }
        assertThat(answers.get(0)).isEqualTo(Chat.answer(single));
        assertThat(answers.get(1)).isEqualTo(Chat.answer(shifted));
        assertThat(answers).doesNotHaveDuplicates();
        completionTokens = three.at("/usage/completion_tokens").asInt();
        assertThat(three.at("/usage/prompt_tokens").asInt())
                .isEqualTo(single.at("/usage/prompt_tokens").asInt());
        assertThat(completionTokens)
                .isGreaterThan(single.at("/usage/completion_tokens").asInt())
                .isEqualTo(three.at("/usage/total_tokens").asInt()
                        - three.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void streamedChoicesCarryTheirIndexAndEndTogetherWithOneUsageChunk() {
        JsonNode whole = Chat.complete(this.client, sampled(2, 21));
        Map<String, Object> body = sampled(2, 21);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));

        List<String> data = Chat.streamedData(this.client, "/v1/chat/completions", body, Duration.ofSeconds(60));

        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        Map<Integer, StringBuilder> texts = new TreeMap<>();
        Map<Integer, String> finishes = new TreeMap<>();
        for (String event : data.subList(0, data.size() - 2)) {
            JsonNode choice = this.json.readTree(event).path("choices").get(0);
            int index = choice.path("index").asInt();
            texts.computeIfAbsent(index, key -> new StringBuilder())
                    .append(choice.at("/delta/content").asString(""));
            if (!choice.path("finish_reason").isNull()) {
                finishes.put(index, choice.path("finish_reason").asString());
            }
        }
        assertThat(texts.keySet()).containsExactly(0, 1);
        assertThat(finishes.keySet()).containsExactly(0, 1);
        assertThat(texts.get(0).toString())
                .isEqualTo(whole.at("/choices/0/message/content").asString());
        assertThat(texts.get(1).toString())
                .isEqualTo(whole.at("/choices/1/message/content").asString());
        JsonNode usage = this.json.readTree(data.get(data.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage")).isEqualTo(whole.path("usage"));
    }

    /** A sampled (temperature 1) text-only request, so that different seeds give different answers. */
    private static Map<String, Object> sampled(int n, long seed) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "xcomposer");
        body.put("messages", List.of(Map.of("role", "user", "content", "Describe a picture with shapes.")));
        body.put("temperature", 1);
        body.put("max_tokens", 24);
        body.put("seed", seed);
        body.put("n", n);
        return body;
    }
}
