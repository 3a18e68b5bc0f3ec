package io.xcomposer.composition.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.CompositionApplication;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import io.xcomposer.testsupport.ServiceProbes;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * composition-service started before its Redis (a real redis-server brought up late on a fixed loopback port):
 * live at once, not ready, new jobs refused with 503 {@code redis_unavailable}; ready within 5 s of Redis
 * appearing, and accepting jobs.
 */
class StartWithoutRedisIntegrationTests {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private static final String ARTICLE = "{\"title\":\"A walk in the park\",\"images\":\"0\",\"seed\":1}";

    @Test
    void startsLiveNotReadyAndBecomesReadyWhenRedisAppears() throws Exception {
        Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        try (RedisServerProcess redis = RedisServerProcess.notStarted();
                EmbeddedInferenceServer models = EmbeddedInferenceServer.start(repository)) {
            ConfigurableApplicationContext service = InJvmService.start(
                    CompositionApplication.class,
                    false,
                    "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port(),
                    "--xcomposer.inference.port=" + models.port(),
                    "--xcomposer.retrieval.base-url=http://127.0.0.1:" + RedisServerProcess.freePort(),
                    "--xcomposer.composition.poll-interval=50ms");
            try {
                String url = InJvmService.url(service);
                ServiceProbes.assertLiveNotReady(url);
                ServiceProbes.assertUnavailable(
                        HttpProbe.postJson(url + "/v1/compositions", ARTICLE, CALL_TIMEOUT), "redis_unavailable");

                redis.restart();
                Answer ready = ServiceProbes.awaitReady(url, Duration.ofSeconds(5));
                System.out.printf(
                        "composition ready %d ms after Redis appeared%n",
                        ready.took().toMillis());
                Answer created = HttpProbe.postJson(url + "/v1/compositions", ARTICLE, CALL_TIMEOUT);
                assertThat(created.status()).as(created.body()).isEqualTo(201);
            } finally {
                service.close();
            }
        }
    }
}
