package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Redis killed (SIGKILL) under the gallery and restarted with its append-only file: search and ingest answer 503
 * {@code redis_unavailable} + Retry-After within 3 s, readiness goes down; within 5 s of Redis returning both work
 * again and every image acknowledged before the crash is still there and searchable.
 */
class RedisOutageIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void searchAndIngestAreRefusedFastWhileRedisIsDownAndNothingIngestedIsLost() throws Exception {
        List<JsonNode> lines = GalleryTestSupport.galleryLines(JSON).subList(300, 303);
        try (RedisServerProcess redis = RedisServerProcess.startDurable()) {
            ConfigurableApplicationContext app = GalleryTestSupport.startApp(
                    redis, "{gallery-outage}", Files.createTempDirectory("gallery-index-outage"));
            try {
                String url = InJvmService.url(app);
                Answer ingested = ingest(url, lines.get(0));
                assertThat(ingested.status()).as(ingested.body()).isBetween(200, 201);
                String id = JSON.readTree(ingested.body()).get("id").asString();
                assertThat(search(url, lines.get(0)).status()).isEqualTo(200);

                redis.kill();

                for (Answer refused : new Answer[] {search(url, lines.get(0)), ingest(url, lines.get(1))}) {
                    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                    assertThat(refused.header("Retry-After")).isNotBlank();
                    assertThat(JSON.readTree(refused.body()).at("/error/code").asString())
                            .isEqualTo("redis_unavailable");
                    assertThat(refused.took()).isLessThan(Duration.ofSeconds(3));
                    System.out.printf(
                            "redis down: gallery call refused with 503 in %d ms%n",
                            refused.took().toMillis());
                }
                Answer readiness = HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT);
                assertThat(readiness.status()).isEqualTo(503);
                assertThat(readiness.took()).isLessThan(Duration.ofSeconds(3));

                redis.restart();

                Answer found = HttpProbe.await(
                        () -> search(url, lines.get(0)), answer -> answer.status() == 200, Duration.ofSeconds(5));
                System.out.printf(
                        "redis back: first search answered after %d ms%n",
                        found.took().toMillis());
                assertThat(JSON.readTree(found.body()).at("/results/0/id").asString())
                        .isEqualTo(id);
                assertThat(HttpProbe.get(url + "/v1/gallery/images/" + id, CALL_TIMEOUT)
                                .status())
                        .isEqualTo(200);
                assertThat(ingest(url, lines.get(2)).status()).isBetween(200, 201);
            } finally {
                app.close();
            }
        }
    }

    private static Answer ingest(String url, JsonNode line) {
        ObjectNode body = JSON.createObjectNode()
                .put("image_base64", Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)))
                .put("caption", line.get("caption_en").asString());
        return HttpProbe.postJson(url + "/v1/gallery/images", body.toString(), CALL_TIMEOUT);
    }

    private static Answer search(String url, JsonNode line) {
        ObjectNode body = JSON.createObjectNode()
                .put("image_base64", Base64.getEncoder().encodeToString(GalleryTestSupport.imageBytes(line)))
                .put("top_k", 1);
        return HttpProbe.postJson(url + "/v1/gallery/search", body.toString(), CALL_TIMEOUT);
    }
}
