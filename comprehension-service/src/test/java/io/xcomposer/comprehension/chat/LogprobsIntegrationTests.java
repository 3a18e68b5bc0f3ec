package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code logprobs} / {@code top_logprobs} in OpenAI's shape, from the tiny model's own distribution: the tokens
 * spell the answer (their bytes, in order), streamed chunks carry the tokens of their own text.
 */
@IntegrationTest
class LogprobsIntegrationTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    @Test
    void nonStreamedLogprobsSpellTheAnswerWithTheAskedAlternatives() {
        JsonNode completion = Chat.complete(this.client, body(true, 2));
        String answer = Chat.answer(completion);
        JsonNode content = completion.at("/choices/0/logprobs/content");

        assertThat(answer).isNotEmpty();
        assertThat(content.isArray()).isTrue();
        assertThat(spelled(content)).isEqualTo(answer);
        for (JsonNode token : content) {
            assertThat(token.path("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(token.path("top_logprobs")).hasSize(2);
            // greedy: the chosen token is the most likely one
            assertThat(token.at("/top_logprobs/0/bytes")).isEqualTo(token.path("bytes"));
            assertThat(token.at("/top_logprobs/0/logprob").asDouble())
                    .isGreaterThanOrEqualTo(token.at("/top_logprobs/1/logprob").asDouble());
        }
        assertThat(completion.at("/choices/0/logprobs/refusal").isNull()).isTrue();
    }

    @Test
    void withoutLogprobsTheFieldIsNullAndTheAnswerTheSame() {
        JsonNode with = Chat.complete(this.client, body(true, 0));
        JsonNode without = Chat.complete(this.client, body(false, null));

        assertThat(without.at("/choices/0/logprobs").isNull()).isTrue();
        assertThat(Chat.answer(without)).isEqualTo(Chat.answer(with));
        assertThat(with.at("/choices/0/logprobs/content/0/top_logprobs")).isEmpty();
    }

    @Test
    void streamedChunksCarryTheLogprobsOfTheirOwnText() {
        String whole = Chat.answer(Chat.complete(this.client, body(true, 1)));
        Map<String, Object> body = body(true, 1);
        body.put("stream", true);

        List<String> data = Chat.streamedData(this.client, "/v1/chat/completions", body, Duration.ofSeconds(30));

        StringBuilder streamed = new StringBuilder();
        int withLogprobs = 0;
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode choice = this.json.readTree(event).path("choices").get(0);
            String text = choice.at("/delta/content").asString("");
            streamed.append(text);
            if (!text.isEmpty()) {
                assertThat(spelled(choice.at("/logprobs/content"))).isEqualTo(text);
                withLogprobs++;
            }
        }
        assertThat(streamed.toString()).isEqualTo(whole);
        assertThat(withLogprobs).isPositive();
    }

    /**
     * The tiny model's margins are far wider than OpenAI's largest penalty (2), so the greedy text stays; the
     * reported log-probabilities (of the penalised logits) show the penalty on every token the answer repeats.
     */
    @Test
    void penaltiesLowerTheLogprobOfRepeatedTokens() {
        HeldOut item = HeldOut.first("caption", "en", 1).get(0);
        Map<String, Object> plain = Chat.request(
                null,
                Chat.user(
                        Chat.image(HeldOut.dataUrl(item.images().get(0))),
                        Chat.text(item.questions().get(0))));
        plain.put("logprobs", true);
        Map<String, Object> penalised = new LinkedHashMap<>(plain);
        penalised.put("frequency_penalty", 2);
        penalised.put("presence_penalty", 2);

        JsonNode plainTokens = Chat.complete(this.client, plain).at("/choices/0/logprobs/content");
        JsonNode penalisedTokens = Chat.complete(this.client, penalised).at("/choices/0/logprobs/content");

        java.util.Set<String> seen = new java.util.HashSet<>();
        int repeated = 0;
        for (int i = 0; i < Math.min(plainTokens.size(), penalisedTokens.size()); i++) {
            String token = plainTokens.get(i).path("bytes").toString();
            if (!token.equals(penalisedTokens.get(i).path("bytes").toString())) {
                break; // the texts part here; later positions are not comparable
            }
            double before = plainTokens.get(i).path("logprob").asDouble();
            double after = penalisedTokens.get(i).path("logprob").asDouble();
            if (!seen.add(token)) {
                assertThat(after).as("token %d %s", i, token).isLessThan(before);
                repeated++;
            }
        }
        assertThat(repeated).isPositive();
    }

    private static String spelled(JsonNode content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (JsonNode token : content) {
            for (JsonNode value : token.path("bytes")) {
                bytes.write(value.asInt());
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> body(boolean logprobs, Integer top) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "xcomposer");
        body.put("messages", List.of(Map.of("role", "user", "content", "Describe a picture with two red circles.")));
        body.put("temperature", 0);
        body.put("max_tokens", 24);
        body.put("logprobs", logprobs);
        if (top != null) {
            body.put("top_logprobs", top);
        }
        return body;
    }
}
