package io.xcomposer.comprehension.images;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.support.IntegrationTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Uploaded images can be read back as docs/api.md promises; chat intake is strict about numbers and methods. */
@IntegrationTest
class IntakeIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    @Test
    void anUploadCanBeDescribedAndItsBytesServed() throws IOException {
        byte[] png = png(24, 12);
        JsonNode uploaded =
                post("/v1/images", Map.of("image", Base64.getEncoder().encodeToString(png)), 200);
        String id = uploaded.get("id").asString();

        JsonNode described = JSON.readTree(this.client
                .get()
                .uri("/v1/images/" + id)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
        assertThat(described.get("id").asString()).isEqualTo(id);
        assertThat(described.get("format").asString()).isEqualTo("png");
        assertThat(described.get("width").asInt()).isEqualTo(24);
        assertThat(described.get("height").asInt()).isEqualTo(12);

        byte[] content = this.client
                .get()
                .uri("/v1/images/" + id + "/content")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentType("image/png")
                .expectHeader()
                .valueEquals("X-Content-Type-Options", "nosniff")
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody();
        assertThat(content).isEqualTo(png);
    }

    @Test
    void anUnknownImageOrRouteIs404WithoutAnInternalUrl() {
        String missing = this.client
                .get()
                .uri("/v1/images/img_000000000000000000000000/content")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(JSON.readTree(missing).at("/error/code").asString()).isEqualTo("image_not_found");
        String noRoute = this.client
                .get()
                .uri("/v1/images/img_000000000000000000000000/nothing")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(noRoute).contains("\"error\"").doesNotContain("127.0.0.1").doesNotContain("localhost");
    }

    @Test
    void anSvgUploadIsRefused() {
        String svg = "data:image/svg+xml;base64,"
                + Base64.getEncoder()
                        .encodeToString("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8));

        JsonNode error = post("/v1/images", Map.of("image", svg), 400).get("error");
        assertThat(error.get("param").asString()).isEqualTo("image");
    }

    @Test
    void anOverflowingMaxTokensIsAnInvalidValueAndNumbersAreNotStrings() {
        Map<String, Object> message = Map.of("role", "user", "content", "Hello");
        JsonNode overflow = post(
                        "/v1/chat/completions",
                        Map.of("model", "xcomposer-tiny", "messages", List.of(message), "max_tokens", 1e12),
                        400)
                .get("error");
        assertThat(overflow.get("code").asString()).isEqualTo("invalid_value");
        assertThat(overflow.get("param").asString()).isEqualTo("max_tokens");

        JsonNode conversation = post(
                        "/v1/chat/completions",
                        Map.of("model", "xcomposer-tiny", "messages", List.of(message), "conversation_id", 7),
                        400)
                .get("error");
        assertThat(conversation.get("code").asString()).isEqualTo("invalid_type");
        assertThat(conversation.get("param").asString()).isEqualTo("conversation_id");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        this.client
                .get()
                .uri("/v1/chat/completions")
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectHeader()
                .valueEquals("Allow", "POST")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("method_not_allowed");
    }

    private JsonNode post(String path, Map<String, ?> body, int status) {
        return JSON.readTree(this.client
                .post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    private static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        image.setRGB(2, 2, 0x00ff00);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
