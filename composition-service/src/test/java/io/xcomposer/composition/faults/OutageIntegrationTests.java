package io.xcomposer.composition.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.CompositionApplication;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * composition-service with its dependencies failing for real: the model server absent at start (on a fixed
 * loopback port, started later), then Redis killed (SIGKILL) under a running composition and restarted with its
 * append-only file.
 */
class OutageIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private static final String ARTICLE = "{\"title\":\"A walk in the park\",\"images\":\"0\",\"seed\":1}";

    @Test
    void refusesJobsWhileADependencyIsDownAndRecordsTheFailureOfTheRunningOneOnceRedisIsBack() {
        Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        int modelPort = RedisServerProcess.freePort();
        EmbeddedInferenceServer models = null;
        ConfigurableApplicationContext service = null;
        try (RedisServerProcess redis = RedisServerProcess.startDurable()) {
            service = InJvmService.start(
                    CompositionApplication.class,
                    false,
                    "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port(),
                    "--xcomposer.inference.port=" + modelPort,
                    "--xcomposer.retrieval.base-url=http://127.0.0.1:" + RedisServerProcess.freePort(),
                    "--xcomposer.composition.poll-interval=50ms");
            String url = InJvmService.url(service);

            // No model server: live, not ready, and new jobs are refused instead of accepted and then failed.
            assertThat(HttpProbe.get(url + "/actuator/health/liveness", CALL_TIMEOUT)
                            .status())
                    .isEqualTo(200);
            assertThat(HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT)
                            .status())
                    .isEqualTo(503);
            assertRefused(create(url), "model_server_unavailable");

            // 20 ms per token keeps the article's write step running while Redis is killed.
            models = EmbeddedInferenceServer.startOnPort(repository, modelPort, "xcomposer.server.token-delay=20ms");
            Answer ready = HttpProbe.await(
                    () -> HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT),
                    answer -> answer.status() == 200,
                    Duration.ofSeconds(5));
            System.out.printf(
                    "composition ready %d ms after the model server appeared%n",
                    ready.took().toMillis());
            Answer created = create(url);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = JSON.readTree(created.body()).get("id").asString();

            redis.kill();

            assertRefused(create(url), "redis_unavailable");
            assertRefused(HttpProbe.get(url + "/v1/compositions/" + id, CALL_TIMEOUT), "redis_unavailable");
            assertThat(HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT)
                            .status())
                    .isEqualTo(503);

            redis.restart();

            // The composition Redis died under is not left running: its failure is recorded once Redis is back.
            Answer settled = HttpProbe.await(
                    () -> HttpProbe.get(url + "/v1/compositions/" + id, CALL_TIMEOUT),
                    answer -> answer.status() == 200 && !status(answer).equals("running"),
                    Duration.ofSeconds(5));
            System.out.printf(
                    "redis back: the interrupted composition read %s after %d ms%n",
                    status(settled), settled.took().toMillis());
            assertThat(status(settled)).isEqualTo("failed");
            Answer again = HttpProbe.await(() -> create(url), answer -> answer.status() == 201, Duration.ofSeconds(5));
            System.out.printf(
                    "redis back: composition accepted after %d ms%n",
                    again.took().toMillis());
        } finally {
            if (service != null) {
                service.close();
            }
            if (models != null) {
                models.close();
            }
        }
    }

    private static Answer create(String url) {
        return HttpProbe.postJson(url + "/v1/compositions", ARTICLE, CALL_TIMEOUT);
    }

    private static String status(Answer answer) {
        return JSON.readTree(answer.body()).get("status").asString();
    }

    private static void assertRefused(Answer refused, String code) {
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        JsonNode body = JSON.readTree(refused.body());
        assertThat(body.at("/error/code").asString()).isEqualTo(code);
        assertThat(refused.took()).isLessThan(Duration.ofSeconds(3));
        System.out.printf(
                "%s: refused with 503 in %d ms%n", code, refused.took().toMillis());
    }
}
