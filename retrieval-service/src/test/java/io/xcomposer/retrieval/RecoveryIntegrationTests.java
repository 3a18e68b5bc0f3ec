package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.index.VectorIndex;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Restarts: a bulk job interrupted by a shutdown, and a lost index directory. */
class RecoveryIntegrationTests {

    private static final JsonMapper json = JsonMapper.builder().build();

    private static final int JOB_ITEMS = 120;

    @Test
    void bulkJobInterruptedByRestart_resumesWithoutLossOrDuplicates() throws Exception {
        String prefix = "{gallery-job}";
        Path index = Files.createTempDirectory("gallery-index-job");
        List<JsonNode> lines = GalleryTestSupport.galleryLines(json).subList(0, JOB_ITEMS);
        List<Map<String, Object>> items = new ArrayList<>();
        for (JsonNode line : lines) {
            items.add(Map.of(
                    "image_base64",
                    Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)),
                    "caption",
                    line.get("caption_en").asString(),
                    "tags",
                    List.of("job")));
        }
        // Small chunks so the job is still running when the first instance stops.
        ConfigurableApplicationContext first =
                GalleryTestSupport.startApp(prefix, index, "xcomposer.retrieval.embed-batch-size=2");
        WebTestClient client = GalleryTestSupport.client(first);
        String jobId = json.readTree(client.post()
                        .uri("/v1/gallery/jobs")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("items", items))
                        .exchange()
                        .expectStatus()
                        .isAccepted()
                        .expectBody(String.class)
                        .returnResult()
                        .getResponseBody())
                .get("job_id")
                .asString();
        JsonNode progress = awaitJob(client, jobId, status -> status.get("done").asInt() >= 10);
        first.close();

        // What was acknowledged before the stop, read straight from Redis after it.
        long recorded = Long.parseLong(RedisServerProcess.shared()
                .command("HLEN", prefix + ":job:" + jobId + ":results")
                .substring(1));
        assertThat(progress.get("done").asInt()).isGreaterThanOrEqualTo(10);
        assertThat(recorded).as("the job was interrupted mid-way").isLessThan(JOB_ITEMS);

        ConfigurableApplicationContext second = GalleryTestSupport.startApp(prefix, index);
        try {
            WebTestClient restarted = GalleryTestSupport.client(second);
            // Every image acknowledged before the stop is searchable right after the restart.
            for (JsonNode done : progress.get("ids")) {
                String id = done.get("id").asString();
                JsonNode top =
                        search(restarted, Map.of("image_id", id, "top_k", 1)).get(0);
                assertThat(top.get("id").asString()).isEqualTo(id);
            }
            JsonNode finished = awaitJob(
                    restarted, jobId, status -> !status.get("status").asString().equals("running"));
            assertThat(finished.get("status").asString()).isEqualTo("completed");
            assertThat(finished.get("done").asInt()).isEqualTo(JOB_ITEMS);
            assertThat(finished.get("pending").asInt()).isZero();
            Set<String> ids = new HashSet<>();
            finished.get("ids").forEach(done -> ids.add(done.get("id").asString()));
            long distinctImages = lines.stream()
                    .map(line -> Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)))
                    .distinct()
                    .count();
            assertThat(ids).hasSize((int) distinctImages);
            // Nothing duplicated: the catalog and the index hold exactly one entry per distinct image.
            assertThat(second.getBean(GalleryCatalog.class).count().block(Duration.ofSeconds(5)))
                    .isEqualTo(distinctImages);
            assertThat(second.getBean(VectorIndex.class).size()).isEqualTo((int) distinctImages);
            JsonNode tagged = search(
                    restarted,
                    Map.of("text", lines.get(0).get("caption_en").asString(), "top_k", 100, "tags", List.of("job")));
            assertThat(tagged.size()).isEqualTo(100);
        } finally {
            second.close();
        }
    }

    @Test
    void deletedIndexDirectory_isRebuiltFromTheCatalog() throws Exception {
        String prefix = "{gallery-rebuild}";
        Path index = Files.createTempDirectory("gallery-index-rebuild");
        List<JsonNode> lines = GalleryTestSupport.galleryLines(json).subList(200, 240);
        ConfigurableApplicationContext first = GalleryTestSupport.startApp(prefix, index);
        List<Map<String, Object>> items = new ArrayList<>();
        for (JsonNode line : lines) {
            items.add(Map.of(
                    "image_base64",
                    Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)),
                    "caption",
                    line.get("caption_en").asString()));
        }
        GalleryTestSupport.client(first)
                .post()
                .uri("/v1/gallery/images:batch")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("items", items))
                .exchange()
                .expectStatus()
                .isOk();
        long stored = first.getBean(GalleryCatalog.class).count().block(Duration.ofSeconds(5));
        first.close();

        try (Stream<Path> files = Files.walk(index)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
        assertThat(index).doesNotExist();

        ConfigurableApplicationContext second = GalleryTestSupport.startApp(prefix, index);
        try {
            assertThat(second.getBean(VectorIndex.class).size()).isEqualTo((int) stored);
            assertThat(second.getBean(MeterRegistry.class)
                            .get("retrieval.index.rebuilds")
                            .tag("reason", "missing")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            JsonNode line = lines.get(5);
            JsonNode top = search(
                            GalleryTestSupport.client(second),
                            Map.of(
                                    "image_base64",
                                    Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)),
                                    "top_k",
                                    1))
                    .get(0);
            assertThat(top.get("caption").asString())
                    .isEqualTo(line.get("caption_en").asString());
        } finally {
            second.close();
        }
        // A clean restart with the index intact replays nothing and rebuilds nothing.
        ConfigurableApplicationContext third = GalleryTestSupport.startApp(prefix, index);
        try {
            assertThat(third.getBean(MeterRegistry.class)
                            .find("retrieval.index.rebuilds")
                            .counter())
                    .isNull();
            assertThat(third.getBean(VectorIndex.class).size()).isEqualTo((int) stored);
        } finally {
            third.close();
        }
    }

    private static JsonNode awaitJob(WebTestClient client, String jobId, Predicate<JsonNode> condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = json.readTree(client.get()
                    .uri("/v1/gallery/jobs/{id}", jobId)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectBody(String.class)
                    .returnResult()
                    .getResponseBody());
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + jobId + " did not reach the expected state in 60 s");
    }

    private static JsonNode search(WebTestClient client, Map<String, ?> request) {
        return json.readTree(client.post()
                        .uri("/v1/gallery/search")
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(request)
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody(String.class)
                        .returnResult()
                        .getResponseBody())
                .get("results");
    }
}
