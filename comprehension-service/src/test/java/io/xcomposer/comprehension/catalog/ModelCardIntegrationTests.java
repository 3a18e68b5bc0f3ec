package io.xcomposer.comprehension.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TestModelServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /v1/models}: the model card the gateway lists, with the context length of the served llm's config. */
@IntegrationTest
class ModelCardIntegrationTests {

    @Autowired
    private WebTestClient client;

    @Autowired
    private ComprehensionProperties properties;

    @Test
    void theCardCarriesTheServedModelsOwnContextLength() throws Exception {
        byte[] body = this.client
                .get()
                .uri("/v1/models")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .returnResult()
                .getResponseBody();
        JsonNode card = JsonMapper.builder().build().readTree(body).at("/data/0");

        int configured = contextLengthOfTheServedLlm();
        assertThat(card.path("id").asString()).isEqualTo(this.properties.modelName());
        assertThat(card.path("context_length").asInt()).isEqualTo(configured);
        assertThat(card.path("max_model_len").asInt()).isEqualTo(configured);
    }

    /** Read from the repository's file, not through the service, so that a wrong source would show. */
    private static int contextLengthOfTheServedLlm() throws Exception {
        Path config = TestModelServer.repository().resolve("llm").resolve("config.pbtxt");
        Matcher value = Pattern.compile("key: \"context_length\"\\s*value: \\{ string_value: \"(\\d+)\" }")
                .matcher(Files.readString(config));
        assertThat(value.find()).as("context_length in " + config).isTrue();
        return Integer.parseInt(value.group(1));
    }
}
