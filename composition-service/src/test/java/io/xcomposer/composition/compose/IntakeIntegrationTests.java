package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.common.web.WebLimitsProperties;
import io.xcomposer.composition.support.IntegrationTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/** What composition-service refuses at the door, and that it reads bodies up to its configured size. */
class IntakeIntegrationTests extends IntegrationTest {

    @Autowired
    private WebLimitsProperties limits;

    @Test
    void userImagesThatAreNotImagesAreRefusedNamingTheItem() throws IOException {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(png(16, 16));
        String svg = "data:image/svg+xml;base64,"
                + Base64.getEncoder()
                        .encodeToString("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
                                .getBytes(StandardCharsets.UTF_8));

        JsonNode empty = error(Map.of("title", "Shapes", "user_images", List.of(png, "data:image/png;base64,")), 400);
        assertThat(empty.get("param").asString()).isEqualTo("user_images[1]");
        JsonNode notAnImage =
                error(Map.of("title", "Shapes", "user_images", List.of("data:image/png;base64,AAAA")), 400);
        assertThat(notAnImage.get("code").asString()).isEqualTo("unsupported_image_format");
        assertThat(notAnImage.get("param").asString()).isEqualTo("user_images[0]");
        JsonNode script = error(Map.of("title", "Shapes", "user_images", List.of(svg)), 400);
        assertThat(script.get("param").asString()).isEqualTo("user_images[0]");
        assertThat(error(Map.of("title", "Shapes", "user_images", List.of("hello")), 400)
                        .get("param")
                        .asString())
                .isEqualTo("user_images[0]");
    }

    @Test
    void numbersAreNotTurnedIntoStringsAndParamsAreSnakeCase() {
        JsonNode title = error(Map.of("title", 42), 400);
        assertThat(title.get("code").asString()).isEqualTo("invalid_type");
        assertThat(title.get("param").asString()).isEqualTo("title");

        JsonNode paragraphs = error(Map.of("title", "Shapes", "max_paragraphs", 0), 400);
        assertThat(paragraphs.get("param").asString()).isEqualTo("max_paragraphs");
        assertThat(paragraphs.get("message").asString())
                .contains("'max_paragraphs'")
                .doesNotContain("maxParagraphs");

        JsonNode seed = error(Map.of("title", "Shapes", "seed", 1e30), 400);
        assertThat(seed.get("code").asString()).isEqualTo("invalid_value");
        assertThat(seed.get("param").asString()).isEqualTo("seed");
    }

    @Test
    void readsBodiesUpToTheConfiguredSizeAndRefusesLarger() {
        int max = (int) this.limits.maxBodySize().toBytes();
        assertThat(max).as("application.yml's xcomposer.web.max-body-size").isEqualTo(32 * 1024 * 1024);

        // A blank title: read whole, then refused for what it says, not for its size.
        JsonNode under = errorRaw(padded("{\"title\":\"\",\"pad\":\"", max - 1), 400);
        assertThat(under.get("param").asString()).isEqualTo("title");
        JsonNode over = errorRaw(padded("{\"title\":\"\",\"pad\":\"", max + 1), 413);
        assertThat(over.get("code").asString()).isEqualTo("request_too_large");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        this.web
                .get()
                .uri("/v1/compositions")
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectHeader()
                .valueEquals("Allow", "POST")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("method_not_allowed");
    }

    private JsonNode error(Map<String, ?> body, int status) {
        return post("/v1/compositions", body, status).get("error");
    }

    private JsonNode errorRaw(byte[] body, int status) {
        String response = this.web
                .post()
                .uri("/v1/compositions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return JSON.readTree(response).get("error");
    }

    /** {@code prefix}, then 'a's and {@code "}} so the whole is exactly {@code size} bytes of JSON. */
    static byte[] padded(String prefix, int size) {
        byte[] body = new byte[size];
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, body, 0, head.length);
        Arrays.fill(body, head.length, size - 2, (byte) 'a');
        body[size - 2] = '"';
        body[size - 1] = '}';
        return body;
    }

    static byte[] png(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
