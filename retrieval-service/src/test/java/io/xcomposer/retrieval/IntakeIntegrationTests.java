package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.common.images.ImageStore;
import io.xcomposer.common.web.WebLimitsProperties;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What retrieval-service accepts at the door: bodies up to its configured size, uploaded image ids (the shared
 * image store) in search and embeddings, strict JSON types, 405 for a wrong method. Its own gallery of two images.
 */
class IntakeIntegrationTests {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext app;

    private static WebTestClient client;

    private static List<JsonNode> gallery;

    @BeforeAll
    static void start() throws IOException {
        app = GalleryTestSupport.startApp("{intake-it}", Files.createTempDirectory("intake-index"));
        client = GalleryTestSupport.client(app);
        gallery = GalleryTestSupport.galleryLines(json);
        client.post()
                .uri("/v1/gallery/images")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of(
                        "image_base64",
                        base64(0),
                        "caption",
                        gallery.get(0).path("caption").asString("")))
                .exchange()
                .expectStatus()
                .is2xxSuccessful();
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void anUploadedImageIdWorksInSearchAndEmbeddings() {
        byte[] uploaded = GalleryTestSupport.imageBytes(gallery.get(1));
        String id = app.getBean(ImageStore.class).put(uploaded, "image").block().id();

        JsonNode byId = post("/v1/gallery/search", Map.of("image_id", id, "top_k", 1), 200);
        assertThat(byId.get("results")).hasSize(1);

        JsonNode embeddedById = post("/v1/gallery/embeddings", Map.of("images", List.of(id)), 200);
        JsonNode embeddedInline = post("/v1/gallery/embeddings", Map.of("images", List.of(base64(1))), 200);
        assertThat(embeddedById.at("/data/0/embedding")).isEqualTo(embeddedInline.at("/data/0/embedding"));

        JsonNode unknown = post("/v1/gallery/search", Map.of("image_id", "img_000000000000000000000000"), 404);
        assertThat(unknown.at("/error/code").asString()).isEqualTo("image_not_found");
        assertThat(unknown.at("/error/param").asString()).isEqualTo("image_id");
    }

    @Test
    void aQueryImageThatIsNotAnImageIsRefusedNamingTheField() {
        String svg = Base64.getEncoder()
                .encodeToString("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8));

        JsonNode search = post("/v1/gallery/search", Map.of("image_base64", svg), 400);
        assertThat(search.at("/error/code").asString()).isEqualTo("unsupported_image_format");
        assertThat(search.at("/error/param").asString()).isEqualTo("image_base64");
        JsonNode embeddings = post("/v1/gallery/embeddings", Map.of("images", List.of(base64(0), svg)), 400);
        assertThat(embeddings.at("/error/param").asString()).isEqualTo("images[1]");
    }

    @Test
    void strictTypes() {
        JsonNode text = post("/v1/gallery/search", Map.of("text", 42), 400);
        assertThat(text.at("/error/code").asString()).isEqualTo("invalid_type");
        assertThat(text.at("/error/param").asString()).isEqualTo("text");
        JsonNode topK = post("/v1/gallery/search", Map.of("text", "a red square", "top_k", 1e12), 400);
        assertThat(topK.at("/error/code").asString()).isEqualTo("invalid_value");
        assertThat(topK.at("/error/param").asString()).isEqualTo("top_k");
    }

    @Test
    void readsBodiesUpToTheConfiguredSizeAndRefusesLarger() {
        int max = (int) app.getBean(WebLimitsProperties.class).maxBodySize().toBytes();
        assertThat(max).as("application.yml's xcomposer.web.max-body-size").isEqualTo(32 * 1024 * 1024);

        JsonNode under = postRaw(padded("{\"text\":\"a red square\",\"top_k\":1,\"pad\":\"", max - 1), 200);
        assertThat(under.get("results")).hasSize(1);
        JsonNode over = postRaw(padded("{\"text\":\"a red square\",\"top_k\":1,\"pad\":\"", max + 1), 413);
        assertThat(over.at("/error/code").asString()).isEqualTo("request_too_large");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        client.get()
                .uri("/v1/gallery/search")
                .exchange()
                .expectStatus()
                .isEqualTo(405)
                .expectHeader()
                .valueEquals("Allow", "POST")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("method_not_allowed");
    }

    private static String base64(int line) {
        return Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(gallery.get(line)));
    }

    private static JsonNode post(String path, Map<String, ?> body, int status) {
        return json.readTree(client.post()
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

    private static JsonNode postRaw(byte[] body, int status) {
        return json.readTree(client.post()
                .uri("/v1/gallery/search")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    private static byte[] padded(String prefix, int size) {
        byte[] body = new byte[size];
        byte[] head = prefix.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, body, 0, head.length);
        Arrays.fill(body, head.length, size - 2, (byte) 'a');
        body[size - 2] = '"';
        body[size - 1] = '}';
        return body;
    }
}
