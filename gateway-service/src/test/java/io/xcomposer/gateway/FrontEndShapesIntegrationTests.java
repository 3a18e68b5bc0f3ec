package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.support.RealPlatform;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The request shapes of Open WebUI and LibreChat (src/test/resources/frontends, README there), replayed as sent
 * against the real platform: each is accepted (200) and answered with text, streamed ones end with
 * {@code [DONE]} after a usage chunk when the body asked for one.
 */
class FrontEndShapesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Path FIXTURES = Path.of("src/test/resources/frontends");

    private final RealPlatform platform = RealPlatform.get();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @ParameterizedTest
    @ValueSource(
            strings = {"open-webui-chat.json", "open-webui-title.json", "librechat-chat.json", "librechat-title.json"})
    void theFrontEndsRequestIsAcceptedAndAnswered(String fixture) throws Exception {
        String body = Files.readString(FIXTURES.resolve(fixture))
                .replace("{{MODEL}}", "xcomposer-tiny")
                .replace("{{IMAGE}}", dataUrl("images/00237-0.png"));
        JsonNode request = JSON.readTree(body);
        boolean stream = request.path("stream").asBoolean(false);

        HttpResponse<String> response = this.http.send(
                HttpRequest.newBuilder(URI.create(this.platform.url() + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + this.platform.newKey(fixture))
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(90))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        if (!stream) {
            JsonNode completion = JSON.readTree(response.body());
            assertThat(completion.at("/choices/0/message/content").asString()).isNotBlank();
            assertThat(completion.at("/usage/total_tokens").asInt()).isPositive();
            return;
        }
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> data = new ArrayList<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("data:")) {
                data.add(line.substring("data:".length()).strip());
            }
        }
        assertThat(data).last().isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        JsonNode usage = null;
        for (String event : data.subList(0, data.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.has("error")).as(event).isFalse();
            for (JsonNode choice : chunk.path("choices")) {
                text.append(choice.at("/delta/content").asString(""));
            }
            usage = chunk.path("usage").isObject() ? chunk.path("usage") : usage;
        }
        assertThat(text.toString()).isNotBlank();
        boolean wantsUsage = request.at("/stream_options/include_usage").asBoolean(false);
        assertThat(usage != null).isEqualTo(wantsUsage);
    }

    private String dataUrl(String image) throws IOException {
        return "data:image/png;base64,"
                + Base64.getEncoder().encodeToString(Files.readAllBytes(this.platform.evalFile(image)));
    }
}
