package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.seed.GallerySeeder;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.InJvmService;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.apache.commons.codec.digest.DigestUtils;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service against real Redis and the real CPU inference server with the tiny model, seeded with the tiny
 * model's 1000-image gallery.
 */
class GalleryIntegrationTests {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static ConfigurableApplicationContext app;

    private static WebTestClient client;

    private static List<JsonNode> gallery;

    @BeforeAll
    static void seed() throws IOException {
        Path index = Files.createTempDirectory("gallery-index");
        app = GalleryTestSupport.startApp(
                "{gallery-it}",
                index,
                "xcomposer.retrieval.seed-gallery=" + GalleryTestSupport.GALLERY.toAbsolutePath());
        client = GalleryTestSupport.client(app);
        gallery = GalleryTestSupport.galleryLines(json);
        // Seeding runs in the background; readiness waits for it.
        HttpProbe.await(
                () -> HttpProbe.get(InJvmService.url(app) + "/actuator/health/readiness", Duration.ofSeconds(10)),
                answer -> answer.status() == 200,
                Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    @Test
    void seeding_isIdempotent() {
        GallerySeeder.SeedReport again = app.getBean(GallerySeeder.class).seed(GalleryTestSupport.GALLERY);
        assertThat(again.created()).isZero();
        assertThat(again.existing() + again.failed()).isEqualTo(gallery.size());
        assertThat(again.failed()).isZero();
    }

    @Test
    void textToImage_recallAt1_english() {
        double recall = recallAt1("caption_en", result -> result.get("caption").asString());
        System.out.printf("text->image recall@1 (en, %d queries): %.4f%n", gallery.size() / 2, recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void textToImage_recallAt1_chinese() {
        // Results carry the English caption; the Chinese one is in the stored metadata, looked up by id.
        Map<String, String> chineseById = new HashMap<>();
        double recall = recallAt1(
                "caption_zh",
                result -> chineseById.computeIfAbsent(
                        result.get("id").asString(),
                        id -> get("/v1/gallery/images/" + id)
                                .get("metadata")
                                .get("caption_zh")
                                .asString()));
        System.out.printf("text->image recall@1 (zh, %d queries): %.4f%n", gallery.size() / 2, recall);
        assertThat(recall).isGreaterThanOrEqualTo(0.90);
    }

    @Test
    void imageToImage_returnsTheExactDuplicateFirst() {
        for (JsonNode line : gallery.subList(0, 20)) {
            String base64 = Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line));
            JsonNode top = search(Map.of("image_base64", base64, "top_k", 3)).get(0);
            assertThat(top.get("caption").asString())
                    .isEqualTo(line.get("caption_en").asString());
            assertThat(top.get("score").asDouble()).isGreaterThan(0.999);
            String expectedId = "img_"
                    + DigestUtils.sha256Hex(GalleryTestSupport.imageBytes(line)).substring(0, 24);
            assertThat(top.get("id").asString()).isEqualTo(expectedId);
        }
    }

    @Test
    void excludeAndTagFilters_areHonoured() {
        String query = gallery.get(7).get("caption_en").asString();
        JsonNode first = search(Map.of("text", query, "top_k", 5));
        List<String> firstIds = ids(first);
        JsonNode excluded = search(Map.of("text", query, "top_k", 5, "exclude", firstIds.subList(0, 3)));
        assertThat(ids(excluded)).hasSize(5).doesNotContainAnyElementsOf(firstIds.subList(0, 3));

        JsonNode tagged = search(Map.of("text", query, "top_k", 20, "tags", List.of("Purple", "hexagon")));
        assertThat(tagged.size()).isEqualTo(20);
        tagged.forEach(result -> assertThat(tags(result)).containsAnyOf("purple", "hexagon"));
        JsonNode none = search(Map.of("text", query, "tags", List.of("no-such-tag")));
        assertThat(none.size()).isZero();
    }

    @Test
    void minScoreAndCollapse() {
        String query = gallery.get(3).get("caption_en").asString();
        JsonNode strict = search(Map.of("text", query, "top_k", 50, "min_score", 0.99));
        strict.forEach(result -> assertThat(result.get("score").asDouble()).isGreaterThanOrEqualTo(0.99));
        // Captions repeat in the gallery with different pictures; identical captions are not identical embeddings,
        // but collapsing at a threshold of 0.995 must never return two results that near-identical.
        JsonNode collapsed = search(Map.of("text", query, "top_k", 10, "collapse_duplicates", true));
        assertThat(collapsed.size()).isEqualTo(10);
    }

    @Test
    void concurrentIngestOfTheSameBytes_makesOneRecord() throws Exception {
        byte[] png = png(0x123456);
        String base64 = Base64.getEncoder().encodeToString(png);
        long before = app.getBean(GalleryCatalog.class).count().block(Duration.ofSeconds(5));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Callable<Integer>> calls = new ArrayList<>();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> {
                var result = client.post()
                        .uri("/v1/gallery/images")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of(
                                "image_base64", base64, "caption", "a dark teal square", "tags", List.of("teal")))
                        .exchange()
                        .expectBody(String.class)
                        .returnResult();
                ids.add(json.readTree(result.getResponseBody()).get("id").asString());
                return result.getStatus().value();
            });
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> future : pool.invokeAll(calls)) {
            statuses.add(future.get());
        }
        pool.shutdown();
        assertThat(statuses).containsOnly(201, 200);
        assertThat(statuses.stream().filter(status -> status == 201)).hasSize(1);
        assertThat(ids).hasSize(1);
        assertThat(app.getBean(GalleryCatalog.class).count().block(Duration.ofSeconds(5)))
                .isEqualTo(before + 1);
        JsonNode top = search(Map.of("image_base64", base64, "top_k", 1)).get(0);
        assertThat(top.get("id").asString()).isEqualTo(ids.iterator().next());
    }

    @Test
    void multipartUpload_contentEndpoint_andDelete() throws IOException {
        byte[] png = png(0xabcdef);
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        body.part("file", png).filename("x.png").contentType(MediaType.IMAGE_PNG);
        body.part("caption", "a light blue square");
        body.part("tags", "blue,square");
        body.part("metadata", "{\"origin\":\"test\"}");
        var created = client.post()
                .uri("/v1/gallery/images")
                .body(BodyInserters.fromMultipartData(body.build()))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(String.class)
                .returnResult();
        JsonNode image = json.readTree(created.getResponseBody());
        String id = image.get("id").asString();
        assertThat(image.get("created").asBoolean()).isTrue();
        assertThat(tags(image)).containsExactlyInAnyOrder("blue", "square");
        assertThat(image.get("metadata").get("origin").asString()).isEqualTo("test");

        String etag = "\"" + image.get("sha256").asString() + "\"";
        client.get()
                .uri("/v1/gallery/images/{id}/content", id)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .contentType(MediaType.IMAGE_PNG)
                .expectHeader()
                .valueEquals("ETag", etag)
                .expectHeader()
                .valueMatches("Cache-Control", ".*immutable.*")
                .expectBody(byte[].class)
                .isEqualTo(png);
        client.get()
                .uri("/v1/gallery/images/{id}/content", id)
                .header("If-None-Match", etag)
                .exchange()
                .expectStatus()
                .isNotModified();

        client.delete()
                .uri("/v1/gallery/images/{id}", id)
                .exchange()
                .expectStatus()
                .isOk();
        client.get()
                .uri("/v1/gallery/images/{id}", id)
                .exchange()
                .expectStatus()
                .isNotFound();
        JsonNode afterDelete = search(Map.of("image_base64", Base64.getEncoder().encodeToString(png), "top_k", 5));
        assertThat(ids(afterDelete)).doesNotContain(id);
    }

    @Test
    void embeddingsEndpoint() {
        JsonNode response =
                post("/v1/gallery/embeddings", Map.of("input", List.of("a red circle", "一个红色圆形")), HttpStatus.OK);
        assertThat(response.get("data").size()).isEqualTo(2);
        assertThat(response.get("dimensions").asInt()).isEqualTo(128);
        double norm = 0;
        for (JsonNode value : response.get("data").get(0).get("embedding")) {
            norm += value.asDouble() * value.asDouble();
        }
        assertThat(norm).isCloseTo(1.0, Offset.offset(1e-3));
    }

    @Test
    void badInputs_getCleanClientErrors() {
        String notAnImage = Base64.getEncoder().encodeToString("hello, not an image".getBytes());
        assertError(
                post("/v1/gallery/images", Map.of("image_base64", notAnImage), HttpStatus.BAD_REQUEST),
                "unsupported_image_format");
        assertError(
                post("/v1/gallery/images", Map.of("image_base64", "%%%"), HttpStatus.BAD_REQUEST), "invalid_base64");
        String huge = Base64.getEncoder().encodeToString(new byte[21 * 1024 * 1024]);
        post("/v1/gallery/images", Map.of("image_base64", huge), HttpStatus.PAYLOAD_TOO_LARGE);
        assertError(
                post("/v1/gallery/images", Map.of("url", "https://127.0.0.1/cat.png"), HttpStatus.BAD_REQUEST),
                "image_url_forbidden");
        assertError(
                post(
                        "/v1/gallery/search",
                        Map.of("image_url", "https://169.254.169.254/latest"),
                        HttpStatus.BAD_REQUEST),
                "image_url_forbidden");
        assertError(
                post("/v1/gallery/search", Map.of("vector", new float[] {1, 2, 3}), HttpStatus.BAD_REQUEST),
                "invalid_vector_dimension");
        assertError(
                post("/v1/gallery/search", Map.of("image_id", "img_000000000000000000000000"), HttpStatus.NOT_FOUND),
                "image_not_found");
        assertError(
                post("/v1/gallery/search", Map.of("text", "x", "top_k", 0), HttpStatus.BAD_REQUEST), "invalid_top_k");
        assertError(
                post("/v1/gallery/search", Map.of("text", "x", "top_k", 101), HttpStatus.BAD_REQUEST), "invalid_top_k");
        assertError(
                post("/v1/gallery/search", Map.of("text", "x", "image_id", "y"), HttpStatus.BAD_REQUEST),
                "invalid_query");
        client.get()
                .uri("/v1/gallery/images/img_nope/content")
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void rawVectorSearch_andMetrics() {
        JsonNode line = gallery.get(11);
        JsonNode vector = post(
                        "/v1/gallery/embeddings",
                        Map.of("input", line.get("caption_en").asString()),
                        HttpStatus.OK)
                .get("data")
                .get(0)
                .get("embedding");
        JsonNode top = search(Map.of("vector", vector, "top_k", 1)).get(0);
        assertThat(top.get("caption").asString())
                .isEqualTo(line.get("caption_en").asString());
        assertThat(top.get("url").asString())
                .endsWith("/v1/gallery/images/" + top.get("id").asString() + "/content");
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        assertThat(meters.get("retrieval.search.latency").timers()).isNotEmpty();
        assertThat(meters.get("retrieval.index.size").gauge().value()).isGreaterThanOrEqualTo(gallery.size());
        assertThat(meters.get("retrieval.ingest.images")
                        .tag("outcome", "created")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(gallery.size());
    }

    private double recallAt1(String field, Function<JsonNode, String> captionOf) {
        int hits = 0;
        // Every other caption as a query (the whole gallery is indexed): keeps the suite short.
        List<JsonNode> queries = IntStream.range(0, gallery.size())
                .filter(i -> i % 2 == 0)
                .mapToObj(gallery::get)
                .toList();
        for (JsonNode line : queries) {
            String query = line.get(field).asString();
            JsonNode top = search(Map.of("text", query, "top_k", 1)).get(0);
            // The generator repeats captions; any image with the identical caption is a correct answer.
            if (query.equals(captionOf.apply(top))) {
                hits++;
            }
        }
        return hits / (double) queries.size();
    }

    private static JsonNode search(Map<String, ?> request) {
        return post("/v1/gallery/search", request, HttpStatus.OK).get("results");
    }

    private static JsonNode get(String path) {
        return json.readTree(client.get()
                .uri(path)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    private static JsonNode post(String path, Object body, HttpStatus expected) {
        String response = client.post()
                .uri(path)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(expected.value())
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return json.readTree(response);
    }

    private static void assertError(JsonNode body, String code) {
        assertThat(body.get("error").get("code").asString()).isEqualTo(code);
        assertThat(body.get("error").get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(body.get("error").get("message").asString()).isNotBlank();
    }

    private static List<String> ids(JsonNode results) {
        List<String> ids = new ArrayList<>();
        results.forEach(result -> ids.add(result.get("id").asString()));
        return ids;
    }

    private static Set<String> tags(JsonNode result) {
        Set<String> tags = new HashSet<>();
        result.get("tags").forEach(tag -> tags.add(tag.asString()));
        return tags;
    }

    static byte[] png(int rgb) throws IOException {
        BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 8; y < 24; y++) {
            for (int x = 8; x < 24; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
