package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

class KeysAndLimitsIntegrationTests extends GatewayIntegrationTest {

    private static final Map<String, Object> CHAT = Map.of(
            "model",
            "xcomposer-tiny",
            "max_tokens",
            20,
            "messages",
            java.util.List.of(Map.of("role", "user", "content", "hi")));

    @Test
    void missingKey_is401InOpenAiShape() {
        client().get()
                .uri("/v1/models")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .exists("X-Request-Id")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("invalid_request_error")
                .jsonPath("$.error.code")
                .isEqualTo("missing_api_key")
                .jsonPath("$.error.message")
                .isNotEmpty();
    }

    @Test
    void unknownKey_is401() {
        client().get()
                .uri("/v1/models")
                .header("Authorization", "Bearer xc-not-a-key")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("invalid_api_key");
    }

    @Test
    void revokedKey_is401() {
        Map<String, Object> key = createKey("to-revoke", 0, 0);
        String secret = (String) key.get("key");
        client().get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + secret)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.data[0].id")
                .isEqualTo("xcomposer-tiny")
                .jsonPath("$.data[0].vision")
                .isEqualTo(true)
                .jsonPath("$.data[0].context_length")
                .isEqualTo(512);

        client().delete()
                .uri("/admin/keys/" + key.get("id"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .exchange()
                .expectStatus()
                .isOk();

        client().get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + secret)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectBody()
                .jsonPath("$.error.message")
                .isEqualTo("This API key has been revoked.");
    }

    @Test
    void keysAreStoredHashed() {
        Map<String, Object> key = createKey("hashed", 0, 0);
        String secret = (String) key.get("key");
        String stored = REDIS.command("EXISTS", "xc:key:" + sha256(secret));
        assertThat(stored).isEqualTo(":1");
        assertThat(REDIS.command("KEYS", "*" + secret + "*")).isEqualTo("*0");
    }

    @Test
    void adminEndpoints_needTheAdminToken() {
        client().post()
                .uri("/admin/keys")
                .header("Authorization", "Bearer wrong")
                .bodyValue(Map.of("name", "x"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
        client().post()
                .uri("/admin/keys")
                .bodyValue(Map.of("name", "x"))
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void overTheRequestRate_is429WithRetryAfterAndRateLimitHeaders() {
        String secret = (String) createKey("slow", 3, 0).get("key");
        for (int i = 0; i < 3; i++) {
            client().get()
                    .uri("/v1/models")
                    .header("Authorization", "Bearer " + secret)
                    .exchange()
                    .expectStatus()
                    .isOk()
                    .expectHeader()
                    .valueEquals("x-ratelimit-limit-requests", "3")
                    .expectHeader()
                    .valueEquals("x-ratelimit-remaining-requests", String.valueOf(2 - i));
        }
        EntityExchangeResult<byte[]> limited = client().get()
                .uri("/v1/models")
                .header("Authorization", "Bearer " + secret)
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .valueEquals("x-ratelimit-remaining-requests", "0")
                .expectHeader()
                .exists("x-ratelimit-reset-requests")
                .expectBody()
                .jsonPath("$.error.type")
                .isEqualTo("rate_limit_error")
                .jsonPath("$.error.code")
                .isEqualTo("rate_limit_exceeded")
                .returnResult();
        long retryAfter = Long.parseLong(limited.getResponseHeaders().getFirst("Retry-After"));
        // 3 per minute refills one request every 20 s.
        assertThat(retryAfter).isBetween(1L, 20L);
    }

    @Test
    void overTheTokenBudget_is429WithRetryAfter_countedFromRealUsage() {
        String secret = (String) createKey("budget", 0, 30).get("key");
        // The first call is admitted and its usage (5 prompt + 20 completion) is charged.
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + secret)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CHAT)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-ratelimit-limit-tokens", "30")
                .expectBody()
                .jsonPath("$.usage.total_tokens")
                .isEqualTo(25);
        // 25 < 30: admitted, now 50 are used.
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + secret)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CHAT)
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("x-ratelimit-remaining-tokens", "5");
        client().post()
                .uri("/v1/chat/completions")
                .header("Authorization", "Bearer " + secret)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(CHAT)
                .exchange()
                .expectStatus()
                .isEqualTo(429)
                .expectHeader()
                .exists("Retry-After")
                .expectHeader()
                .valueEquals("x-ratelimit-remaining-tokens", "0")
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("tokens_exceeded");
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
