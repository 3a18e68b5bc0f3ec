package io.xcomposer.gateway.support;

import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway on a random port against a real redis-server and the loopback {@link DownstreamDouble} for all three
 * services. Every subclass uses the same properties, so Spring's context cache starts the gateway once per JVM;
 * tests that need special limits create keys with per-key limits through the admin API.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class GatewayIntegrationTest {

    public static final String ADMIN_TOKEN = "test-admin-token";
    protected static final RedisServerProcess REDIS = RedisServerProcess.shared();
    protected static final DownstreamDouble DOWNSTREAM = SharedDouble.INSTANCE;

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void gatewayProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.data.redis.port", REDIS::port);
        registry.add("xcomposer.gateway.comprehension-url", DOWNSTREAM::url);
        registry.add("xcomposer.gateway.composition-url", DOWNSTREAM::url);
        registry.add("xcomposer.gateway.retrieval-url", DOWNSTREAM::url);
        registry.add("xcomposer.gateway.admin-token", () -> ADMIN_TOKEN);
        registry.add("xcomposer.gateway.bootstrap-key", () -> "false");
        registry.add("xcomposer.gateway.limits.chat-max-body", () -> "2MB");
        registry.add("xcomposer.gateway.streams.detached-grace", () -> "1500ms");
        registry.add("xcomposer.gateway.streams.keep-alive", () -> "300ms");
    }

    protected WebTestClient client() {
        return WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Creates a key through the admin API; returns its secret and id. */
    protected Map<String, Object> createKey(String name, int requestsPerMinute, long tokensPerMinute) {
        return client().post()
                .uri("/admin/keys")
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .bodyValue(Map.of(
                        "name", name, "requests_per_minute", requestsPerMinute, "tokens_per_minute", tokensPerMinute))
                .exchange()
                .expectStatus()
                .isCreated()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {})
                .returnResult()
                .getResponseBody();
    }

    protected String newKey() {
        return (String) createKey("test", 0, 0).get("key");
    }

    /** One double per JVM, like the Redis server, so the cached Spring context keeps pointing at a live one. */
    private static final class SharedDouble {
        static final DownstreamDouble INSTANCE = new DownstreamDouble();
    }
}
