package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TinySpecs;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code POST /v1/completions} on the tiny model: template or raw, prompt arrays, n, streaming, logprobs, refusals. */
@IntegrationTest
class CompletionsIntegrationTests {

    private static final String QUESTION = "Describe a picture with two red circles.";

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    @Test
    void aPromptIsAnsweredAsOneChatTurnAndRawSendsItAsGiven() {
        String chat = Chat.answer(
                Chat.complete(this.client, Chat.request(null, Map.of("role", "user", "content", QUESTION))));
        JsonNode templated = complete(body(QUESTION));
        JsonNode raw = complete(with(body(TinySpecs.TEMPLATE.firstTurn(QUESTION, 0)), "raw", true));

        assertThat(templated.path("object").asString()).isEqualTo("text_completion");
        assertThat(templated.path("id").asString()).startsWith("cmpl-");
        assertThat(text(templated, 0)).isEqualTo(chat).isNotEmpty();
        assertThat(text(raw, 0)).isEqualTo(chat);
        assertThat(templated.at("/choices/0/finish_reason").asString()).isIn("stop", "length");
        assertThat(templated.at("/usage/prompt_tokens").asInt())
                .isEqualTo(raw.at("/usage/prompt_tokens").asInt());
        assertThat(templated.at("/choices/0/logprobs").isNull()).isTrue();
    }

    @Test
    void promptArraysWithNGiveOneChoicePerPromptAndSample() {
        JsonNode first = complete(body(QUESTION));
        JsonNode second = complete(body("What shapes are there?"));
        Map<String, Object> both = body(List.of(QUESTION, "What shapes are there?"));
        both.put("n", 2);
        JsonNode answer = complete(both);

        assertThat(answer.path("choices")).hasSize(4);
        for (int index = 0; index < 4; index++) {
            assertThat(answer.at("/choices/" + index + "/index").asInt()).isEqualTo(index);
        }
        assertThat(text(answer, 0)).isEqualTo(text(answer, 1)).isEqualTo(text(first, 0)); // greedy samples agree
        assertThat(text(answer, 2)).isEqualTo(text(second, 0));
        assertThat(answer.at("/usage/prompt_tokens").asInt())
                .isEqualTo(first.at("/usage/prompt_tokens").asInt()
                        + second.at("/usage/prompt_tokens").asInt());
        assertThat(answer.at("/usage/completion_tokens").asInt())
                .isEqualTo(2 * first.at("/usage/completion_tokens").asInt()
                        + 2 * second.at("/usage/completion_tokens").asInt());
    }

    @Test
    void streamedChunksAddUpToTheWholeAnswerThenUsageAndDone() {
        Map<String, Object> body = body(List.of(QUESTION, "What shapes are there?"));
        JsonNode whole = complete(body);
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));

        List<String> data = stream(body);

        assertThat(data.get(data.size() - 1)).isEqualTo("[DONE]");
        JsonNode usage = this.json.readTree(data.get(data.size() - 2));
        assertThat(usage.path("choices")).isEmpty();
        assertThat(usage.path("usage")).isEqualTo(whole.path("usage"));
        Map<Integer, StringBuilder> texts = new TreeMap<>();
        Map<Integer, String> finishes = new TreeMap<>();
        for (String event : data.subList(0, data.size() - 2)) {
            JsonNode chunk = this.json.readTree(event);
            assertThat(chunk.path("object").asString()).isEqualTo("text_completion");
            JsonNode choice = chunk.path("choices").get(0);
            texts.computeIfAbsent(choice.path("index").asInt(), key -> new StringBuilder())
                    .append(choice.path("text").asString());
            if (!choice.path("finish_reason").isNull()) {
                finishes.put(
                        choice.path("index").asInt(),
                        choice.path("finish_reason").asString());
            }
        }
        assertThat(texts.get(0).toString()).isEqualTo(text(whole, 0));
        assertThat(texts.get(1).toString()).isEqualTo(text(whole, 1));
        assertThat(finishes).containsOnlyKeys(0, 1);
    }

    @Test
    void logprobsComeInTheCompletionsShape() {
        JsonNode answer = complete(with(body(QUESTION), "logprobs", 2));
        JsonNode logprobs = answer.at("/choices/0/logprobs");

        String joined = String.join("", this.json.convertValue(logprobs.path("tokens"), String[].class));
        assertThat(joined).isEqualTo(text(answer, 0));
        assertThat(logprobs.path("token_logprobs")).hasSameSizeAs(logprobs.path("tokens"));
        assertThat(logprobs.path("text_offset").get(0).asInt()).isZero();
        assertThat(logprobs.path("top_logprobs").get(0).size()).isBetween(1, 2);
        for (JsonNode value : logprobs.path("token_logprobs")) {
            assertThat(value.asDouble()).isLessThanOrEqualTo(0);
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "'echo':true | echo | unsupported_parameter",
                "'suffix':'and so on' | suffix | unsupported_parameter",
                "'best_of':3 | best_of | unsupported_parameter",
                "'logit_bias':{'1':5} | logit_bias | unsupported_parameter",
                "'logprobs':6 | logprobs | invalid_value",
                "'n':5 | n | invalid_value",
                "'max_tokens':0 | max_tokens | invalid_value",
                "'prompt':[1,2,3] | prompt[0] | invalid_value",
                "'prompt':'' | prompt | invalid_value",
                "'prompt':[] | prompt | invalid_value",
                "'stream_options':{'include_usage':true} | stream_options | invalid_value"
            })
    void refusalsNameTheParameter(String fields, String param, String code) {
        String prompt = fields.startsWith("'prompt'") ? "" : "'prompt':'hi',";
        String body = ("{'model':'xcomposer'," + prompt + fields + "}").replace('\'', '"');
        JsonNode error = this.client
                .post()
                .uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .path("error");
        assertThat(error.path("param").asString()).isEqualTo(param);
        assertThat(error.path("code").asString()).isEqualTo(code);
        assertThat(error.path("message").asString()).contains(param.replaceAll("\\[.*", ""));
    }

    private JsonNode complete(Map<String, Object> body) {
        return this.client
                .post()
                .uri("/v1/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();
    }

    private List<String> stream(Map<String, Object> body) {
        return Chat.streamedData(this.client, "/v1/completions", body, Duration.ofSeconds(60));
    }

    private static String text(JsonNode completion, int index) {
        return completion.at("/choices/" + index + "/text").asString();
    }

    private static Map<String, Object> body(Object prompt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "xcomposer");
        body.put("prompt", prompt);
        body.put("temperature", 0);
        body.put("max_tokens", 24);
        return body;
    }

    private static Map<String, Object> with(Map<String, Object> body, String key, Object value) {
        body.put(key, value);
        return body;
    }
}
