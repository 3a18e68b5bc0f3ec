package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.common.security.ServiceToken;
import io.xcomposer.gateway.support.RealPlatform;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The services behind the gateway and the model server answer only callers that present the platform's service
 * token — and the whole platform works with it, because every hop presents it (RealPlatform runs that way).
 */
class InternalServicesAuthenticationIntegrationTests {

    private static RealPlatform platform;

    /** A route of each service that would do work for an anonymous caller. */
    private static final Map<String, List<Object>> WORK = Map.of(
            "comprehension", List.of(HttpMethod.POST, "/v1/chat/completions"),
            "composition", List.of(HttpMethod.POST, "/v1/compositions"),
            "retrieval", List.of(HttpMethod.POST, "/v1/gallery/search"));

    @BeforeAll
    static void start() {
        platform = RealPlatform.get();
    }

    @Test
    void everyServiceRefusesCallsWithoutTheServiceToken() {
        platform.internalServices().forEach((name, url) -> {
            HttpMethod method = (HttpMethod) WORK.get(name).get(0);
            String path = (String) WORK.get(name).get(1);
            for (String token : new String[] {null, "st-wrong", RealPlatform.SERVICE_TOKEN + "x"}) {
                call(url, method, path, token)
                        .expectStatus()
                        .isUnauthorized()
                        .expectBody()
                        .jsonPath("$.error.code")
                        .isEqualTo("invalid_service_token");
            }
            // Odd spellings are no way around it either.
            call(url, method, path.replaceFirst("/v1", "/v1;a"), null)
                    .expectStatus()
                    .isUnauthorized();
            // With the token the request reaches the service (here: refused for its empty body, not for auth).
            call(url, method, path, RealPlatform.SERVICE_TOKEN).expectStatus().isBadRequest();
            // Probes stay open for the kubelet.
            call(url, HttpMethod.GET, "/actuator/health/liveness", null)
                    .expectStatus()
                    .isOk();
        });
    }

    @Test
    void theModelServerRefusesCallsWithoutTheServiceToken() {
        TritonClientOptions options =
                TritonClientOptions.of("127.0.0.1", platform.model().port());
        try (TritonClient anonymous = TritonClient.connect(options);
                TritonClient wrong = TritonClient.connect(options, new SimpleMeterRegistry(), "st-wrong");
                TritonClient service =
                        TritonClient.connect(options, new SimpleMeterRegistry(), RealPlatform.SERVICE_TOKEN)) {
            for (TritonClient refused : List.of(anonymous, wrong)) {
                assertThatThrownBy(() -> refused.serverReady().block(Duration.ofSeconds(10)))
                        .satisfies(
                                error -> assertThat(Status.fromThrowable(error).getCode())
                                        .isEqualTo(Status.Code.UNAUTHENTICATED));
            }
            assertThat(service.serverReady().block(Duration.ofSeconds(10))).isTrue();
        }
    }

    @Test
    void throughTheGatewayEveryHopPresentsTheToken() {
        String key = platform.newKey("service-token");
        WebTestClient.bindToServer()
                .baseUrl(platform.url())
                .responseTimeout(Duration.ofSeconds(60))
                .build()
                .post()
                .uri("/v1/gallery/search")
                .header("Authorization", "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("text", "a red circle", "top_k", 1))
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.results[0].id")
                .isNotEmpty();
    }

    private static WebTestClient.ResponseSpec call(String base, HttpMethod method, String path, String token) {
        WebTestClient.RequestBodySpec request = WebTestClient.bindToServer()
                .responseTimeout(Duration.ofSeconds(30))
                .build()
                .method(method)
                .uri(URI.create(base + path))
                .contentType(MediaType.APPLICATION_JSON);
        if (token != null) {
            request.header(ServiceToken.HEADER, token);
        }
        return method == HttpMethod.GET
                ? request.exchange()
                : request.bodyValue("{}").exchange();
    }
}
