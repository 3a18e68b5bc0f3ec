package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import io.xcomposer.testsupport.ServiceProbes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gallery started before its dependencies, each brought up late on a fixed loopback port: the model server
 * (a real CPU inference server) and Redis (a real redis-server). Either way the service is live at once, not
 * ready, and ready within 5 s of the dependency appearing, with its seed gallery ingested and searchable by then.
 */
class StartupWithoutDependenciesIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void modelServerAbsentAtStart() throws Exception {
        int seeded = 40;
        Path gallery = GalleryTestSupport.smallGallery(seeded);
        int modelPort = RedisServerProcess.freePort();
        EmbeddedInferenceServer models = null;
        ConfigurableApplicationContext app = GalleryTestSupport.startApp(
                RedisServerProcess.shared(),
                modelPort,
                "{gallery-late-model}",
                Files.createTempDirectory("gallery-index-late-model"),
                "xcomposer.retrieval.seed-gallery=" + gallery);
        try {
            String url = InJvmService.url(app);
            ServiceProbes.assertLiveNotReady(url);
            ServiceProbes.assertUnavailable(searchText(url, "a red star"), "model_server_unavailable");

            models = EmbeddedInferenceServer.startOnPort(GalleryTestSupport.REPOSITORY, modelPort);
            Answer ready = ServiceProbes.awaitReady(url, Duration.ofSeconds(5));
            System.out.printf(
                    "retrieval ready %d ms after the model server appeared (seed of %d images)%n",
                    ready.took().toMillis(), seeded);
            assertThat(indexSize(app)).as("ready means the seed gallery is in").isEqualTo(seeded);
            assertFindsSeeded(url, gallery);
        } finally {
            app.close();
            if (models != null) {
                models.close();
            }
        }
    }

    @Test
    void redisAbsentAtStart() throws Exception {
        int seeded = 8;
        Path gallery = GalleryTestSupport.smallGallery(seeded);
        try (RedisServerProcess redis = RedisServerProcess.notStarted()) {
            ConfigurableApplicationContext app = GalleryTestSupport.startApp(
                    redis,
                    "{gallery-late-redis}",
                    Files.createTempDirectory("gallery-index-late-redis"),
                    "xcomposer.retrieval.seed-gallery=" + gallery);
            try {
                String url = InJvmService.url(app);
                ServiceProbes.assertLiveNotReady(url);
                Answer refused = searchText(url, "a red star");
                ServiceProbes.assertUnavailable(refused, "redis_unavailable");
                System.out.printf(
                        "redis absent: search refused with 503 in %d ms%n",
                        refused.took().toMillis());

                redis.restart();
                Answer ready = ServiceProbes.awaitReady(url, Duration.ofSeconds(5));
                System.out.printf(
                        "retrieval ready %d ms after Redis appeared (seed of %d images)%n",
                        ready.took().toMillis(), seeded);
                assertThat(indexSize(app))
                        .as("ready means the seed gallery is in")
                        .isEqualTo(seeded);
                assertFindsSeeded(url, gallery);
            } finally {
                app.close();
            }
        }
    }

    /** A text search by an image's own caption finds that seeded image among the first four. */
    private static void assertFindsSeeded(String url, Path gallery) throws Exception {
        List<JsonNode> lines =
                Files.readAllLines(gallery).stream().map(JSON::readTree).toList();
        for (JsonNode line : List.of(lines.get(0), lines.get(lines.size() - 1))) {
            String caption = line.get("caption_en").asString();
            Answer found = searchText(url, caption);
            assertThat(found.status()).as(found.body()).isEqualTo(200);
            List<String> captions = new ArrayList<>();
            JSON.readTree(found.body())
                    .get("results")
                    .forEach(result -> captions.add(result.get("caption").asString()));
            assertThat(captions).as("results of '%s'", caption).contains(caption);
        }
    }

    private static Answer searchText(String url, String text) {
        String body = JSON.createObjectNode().put("text", text).put("top_k", 4).toString();
        return HttpProbe.postJson(url + "/v1/gallery/search", body, CALL_TIMEOUT);
    }

    private static double indexSize(ConfigurableApplicationContext app) {
        return app.getBean(MeterRegistry.class)
                .get("retrieval.index.size")
                .gauge()
                .value();
    }
}
