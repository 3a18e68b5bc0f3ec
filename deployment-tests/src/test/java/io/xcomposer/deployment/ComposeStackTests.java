package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * docker-compose.yml, profile cpu, built and brought up, then one chat through the published gateway with the key the
 * gateway logs on a fresh Redis. Needs a Docker engine with the compose plugin and network for the base images;
 * skipped without Docker. Without Docker the same path is covered by the services' own tests against real processes.
 */
@Testcontainers(disabledWithoutDocker = true)
class ComposeStackTests {

    private static final Pattern KEY = Pattern.compile("xc-[A-Za-z0-9_-]+");

    private static final StringBuffer GATEWAY_LOG = new StringBuffer();

    @Container
    static final ComposeContainer STACK = new ComposeContainer(
                    DeploymentFiles.composeFile().toFile())
            .withEnv("COMPOSE_PROFILES", "cpu")
            .withEnv("XCOMPOSER_SERVICE_TOKEN", "st-" + UUID.randomUUID())
            .withEnv("XCOMPOSER_ADMIN_TOKEN", "at-" + UUID.randomUUID())
            .withBuild(true)
            .withRemoveVolumes(true)
            .withLogConsumer("gateway-service", frame -> GATEWAY_LOG.append(frame.getUtf8String()))
            .withExposedService(
                    "gateway-service",
                    8080,
                    Wait.forHttp("/actuator/health/readiness").withStartupTimeout(Duration.ofMinutes(20)));

    @Test
    void answersAChatThroughThePublishedGateway() throws Exception {
        Matcher key = KEY.matcher(GATEWAY_LOG);
        assertThat(key.find()).as("bootstrap key in the gateway log").isTrue();
        String base = "http://" + STACK.getServiceHost("gateway-service", 8080) + ":"
                + STACK.getServicePort("gateway-service", 8080);
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> models = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                        .header("Authorization", "Bearer " + key.group())
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(models.body()).contains("xcomposer-tiny");

        String chat = "{\"model\":\"xcomposer-tiny\",\"max_tokens\":16,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What can you do?\"}]}";
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                        .header("Authorization", "Bearer " + key.group())
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(120))
                        .POST(HttpRequest.BodyPublishers.ofString(chat))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.body()).contains("\"choices\"", "\"assistant\"");
    }
}
