package io.xcomposer.gateway.auth;

import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A request refused before its body is read (401 here) must leave its keep-alive connection in step: before the
 * error handler drained unread bodies, one request in a few hundred after a refused POST or DELETE on a reused
 * connection never got an answer.
 */
class RejectedRequestsKeepConnectionsUsableIntegrationTests extends GatewayIntegrationTest {

    private static final int REQUESTS = 450;

    @Test
    void everyRequestAfterARefusedOneIsAnswered() {
        WebTestClient pooled =
                client().mutate().responseTimeout(Duration.ofSeconds(10)).build();
        for (int i = 0; i < REQUESTS; i++) {
            WebTestClient.RequestHeadersSpec<?> request = switch (i % 3) {
                case 0 ->
                    pooled.post()
                            .uri(uri("/v1/embeddings"))
                            .contentType(MediaType.APPLICATION_JSON)
                            .header("Authorization", "Bearer xc-wrong")
                            .bodyValue("{\"input\":\"a red circle\"}");
                case 1 -> pooled.delete().uri(uri("/v1/images")).header("Authorization", "Bearer xc-wrong");
                default -> pooled.get().uri(uri("/v1/models"));
            };
            try {
                request.exchange().expectStatus().isUnauthorized();
            } catch (IllegalStateException noAnswer) {
                throw new AssertionError("request " + i + " of " + REQUESTS + " got no answer in 10 s", noAnswer);
            }
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
