package io.xcomposer.gateway;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The gateway's own intake (chat and embeddings read the body themselves): known models only, strict types. */
class IntakeIntegrationTests extends GatewayIntegrationTest {

    @Test
    void embeddings_unknownModel_is404ModelNotFound() {
        post("/v1/embeddings", Map.of("model", "no-such-model", "input", "a red square"))
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("model_not_found")
                .jsonPath("$.error.param")
                .isEqualTo("model");
        post("/v1/embeddings", Map.of("input", "a red square"))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.param")
                .isEqualTo("model");
        post("/v1/embeddings", Map.of("model", "xcomposer-tiny", "input", "a red square"))
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.model")
                .isEqualTo("xcomposer-tiny");
    }

    @Test
    void embeddings_wrongTypes_areInvalidTypeWithParam() {
        post("/v1/embeddings", Map.of("model", 42, "input", "a red square"))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("invalid_type")
                .jsonPath("$.error.param")
                .isEqualTo("model");
        post(
                        "/v1/embeddings",
                        Map.of(
                                "model",
                                "xcomposer-tiny",
                                "input",
                                List.of(Map.of("type", "image_url", "image_url", Map.of("url", 7)))))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.param")
                .isEqualTo("input[0].image_url.url");
        post("/v1/embeddings", Map.of("model", "xcomposer-tiny", "input", "x", "encoding_format", 1))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.param")
                .isEqualTo("encoding_format");
    }

    @Test
    void chat_wrongTypes_areInvalidTypeWithParam() {
        Map<String, String> message = Map.of("role", "user", "content", "hi");
        post("/v1/chat/completions", Map.of("model", 42, "messages", List.of(message)))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("invalid_type")
                .jsonPath("$.error.param")
                .isEqualTo("model");
        post(
                        "/v1/chat/completions",
                        Map.of(
                                "model",
                                "xcomposer-tiny",
                                "messages",
                                List.of(message),
                                "stream",
                                true,
                                "stream_options",
                                Map.of("include_usage", "yes")))
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error.param")
                .isEqualTo("stream_options.include_usage");
    }

    private WebTestClient.ResponseSpec post(String path, Map<String, ?> body) {
        return client().post()
                .uri(path)
                .header("Authorization", "Bearer " + newKey())
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }
}
