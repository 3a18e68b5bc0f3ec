package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.StandaloneGateway;
import io.xcomposer.testsupport.RedisServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The documented outage behaviour, with a Redis of its own that the test kills: keys validated recently keep
 * working from the auth cache, unknown keys get 503 (not 401), limits fail open.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RedisDownIntegrationTests {

    private final RedisServerProcess redis = RedisServerProcess.start();
    private final HttpClient http = HttpClient.newHttpClient();
    private ConfigurableApplicationContext gateway;
    private int port;

    @BeforeAll
    void start() {
        gateway = StandaloneGateway.start(
                "--server.port=0",
                "--spring.data.redis.port=" + redis.port(),
                "--xcomposer.gateway.bootstrap-key=false");
        port = StandaloneGateway.port(gateway);
    }

    @AfterAll
    void stop() {
        gateway.close();
        redis.close();
    }

    @Test
    void redisDown_cachedKeysWork_unknownKeysGet503_limitsFailOpen() throws Exception {
        ApiKeyStore keys = gateway.getBean(ApiKeyStore.class);
        String known = keys.create("known", 2, 0).block(Duration.ofSeconds(5)).secret();
        assertThat(status(known)).isEqualTo(200);
        assertThat(status(known)).isEqualTo(200);
        assertThat(status(known)).as("third request within a 2/min limit").isEqualTo(429);

        redis.kill();
        Thread.sleep(300);

        for (int i = 0; i < 5; i++) {
            assertThat(status(known)).as("cached key, limits not enforced").isEqualTo(200);
        }
        HttpResponse<String> unknown = get("xc-never-seen");
        assertThat(unknown.statusCode()).isEqualTo(503);
        assertThat(unknown.headers().firstValue("Retry-After")).isPresent();
        assertThat(unknown.body()).contains("auth_unavailable");
        assertThat(gateway.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                        .counter("xcomposer.gateway.redis.failures", "operation", "ratelimit")
                        .count())
                .isGreaterThan(0);
    }

    private int status(String key) throws Exception {
        return get(key).statusCode();
    }

    private HttpResponse<String> get(String key) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                        .header("Authorization", "Bearer " + key)
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
