package io.xcomposer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The client's HTTP behaviour against a real loopback server (the full stack: IngestFolderIntegrationTests). */
class GalleryClientTests {

    private final MockWebServer server = new MockWebServer();
    private GalleryClient client;

    @BeforeEach
    void start() throws IOException {
        this.server.start();
        this.client = new GalleryClient(this.server.url("/").toString(), "xc-test", 3, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        this.server.close();
    }

    @Test
    void ingest_sendsBase64CaptionTagsAndTheFileAsMetadata_withTheKey() throws Exception {
        this.server.enqueue(json(201, "{\"id\":\"img_1\",\"created\":true}"));

        GalleryClient.Ingested ingested = this.client.ingest(
                new byte[] {1, 2, 3}, "sub/a.png", new Annotation("A cat", List.of("pets"), Map.of("k", "v")));

        assertThat(ingested).isEqualTo(new GalleryClient.Ingested("img_1", true));
        RecordedRequest request = this.server.takeRequest();
        assertThat(request.getTarget()).isEqualTo("/v1/gallery/images");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer xc-test");
        JsonNode body = JsonMapper.builder().build().readTree(request.getBody().utf8());
        assertThat(body.get("image_base64").asString()).isEqualTo("AQID");
        assertThat(body.get("caption").asString()).isEqualTo("A cat");
        assertThat(body.get("tags").get(0).asString()).isEqualTo("pets");
        assertThat(body.get("metadata").get("source_file").asString()).isEqualTo("sub/a.png");
        assertThat(body.get("metadata").get("k").asString()).isEqualTo("v");
    }

    @Test
    void overloaded_isWaitedOutByRetryAfter_thenSucceeds() throws Exception {
        this.server.enqueue(new MockResponse.Builder()
                .code(503)
                .addHeader("Retry-After", "0")
                .build());
        this.server.enqueue(new MockResponse.Builder()
                .code(429)
                .addHeader("Retry-After", "0")
                .build());
        this.server.enqueue(json(200, "{\"id\":\"img_2\",\"created\":false}"));

        assertThat(this.client.ingest(new byte[] {1}, "a.png", Annotation.NONE))
                .isEqualTo(new GalleryClient.Ingested("img_2", false));
        assertThat(this.server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void exists_readsTheStatus_andABadImageIsItsOwnFailure_butARefusedKeyIsFatal() throws Exception {
        this.server.enqueue(json(200, "{\"id\":\"img_3\"}"));
        this.server.enqueue(json(404, "{\"error\":{\"message\":\"no such image\"}}"));
        this.server.enqueue(
                json(400, "{\"error\":{\"message\":\"The image is not decodable.\",\"code\":\"invalid_image\"}}"));
        this.server.enqueue(json(401, "{\"error\":{\"message\":\"Incorrect API key provided.\"}}"));

        assertThat(this.client.exists("img_3")).isTrue();
        assertThat(this.client.exists("img_4")).isFalse();
        assertThatThrownBy(() -> this.client.ingest(new byte[] {1}, "bad.png", Annotation.NONE))
                .isInstanceOfSatisfying(GalleryClient.GalleryException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.fatal()).isFalse();
                    assertThat(e.getMessage()).isEqualTo("400: The image is not decodable.");
                });
        assertThatThrownBy(() -> this.client.exists("img_5"))
                .isInstanceOfSatisfying(
                        GalleryClient.GalleryException.class,
                        e -> assertThat(e.fatal()).isTrue());
        assertThat(this.server.getRequestCount()).as("4xx are not retried").isEqualTo(4);
    }

    private static MockResponse json(int status, String body) {
        return new MockResponse.Builder()
                .code(status)
                .addHeader("Content-Type", "application/json")
                .body(body)
                .build();
    }
}
