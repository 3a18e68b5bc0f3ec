package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.StandaloneGateway;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.RedisServerProcess;
import io.xcomposer.testsupport.ServiceProbes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway started before its Redis (a real redis-server brought up late on a fixed loopback port): it starts
 * and is live, is not ready (it could authenticate nobody: its auth cache is empty), refuses keyed requests with
 * 503 {@code auth_unavailable}, and within 5 s of Redis appearing is ready, has made its bootstrap key, and
 * authenticates.
 */
class StartWithoutRedisIntegrationTests {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    @Test
    void startsLiveNotReadyAndBecomesReadyWithItsBootstrapKeyWhenRedisAppears() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.notStarted()) {
            ConfigurableApplicationContext gateway = StandaloneGateway.start(
                    "--server.port=0",
                    "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port(),
                    "--xcomposer.gateway.bootstrap-key=true");
            try {
                String url = "http://127.0.0.1:" + StandaloneGateway.port(gateway);
                ServiceProbes.assertLiveNotReady(url);
                ServiceProbes.assertUnavailable(models(url, "xc-not-checkable-now"), "auth_unavailable");

                redis.restart();
                Answer ready = ServiceProbes.awaitReady(url, Duration.ofSeconds(5));
                System.out.printf(
                        "gateway ready %d ms after Redis appeared%n",
                        ready.took().toMillis());
                ApiKeyStore keys = gateway.getBean(ApiKeyStore.class);
                assertThat(keys.count().block(CALL_TIMEOUT))
                        .as("the bootstrap key, made once Redis answered")
                        .isEqualTo(1);
                String key = keys.create("late", 0, 0).block(CALL_TIMEOUT).secret();
                assertThat(models(url, key).status()).isEqualTo(200);
            } finally {
                gateway.close();
            }
        }
    }

    private static Answer models(String url, String key) {
        return HttpProbe.get(url + "/v1/models", CALL_TIMEOUT, "Authorization", "Bearer " + key);
    }
}
