package io.xcomposer.composition.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Base of the integration tests: the whole service on a random port against real Redis, the real CPU inference
 * server with the tiny model and the real retrieval-service (seeded with the tiny gallery), all in this JVM and
 * shared by every subclass, as is the one Spring context.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
public abstract class IntegrationTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    protected WebTestClient web;

    @DynamicPropertySource
    static void services(DynamicPropertyRegistry registry) {
        TestEnvironment environment = TestEnvironment.get();
        registry.add("spring.data.redis.host", environment.redis()::host);
        registry.add("spring.data.redis.port", environment.redis()::port);
        registry.add("xcomposer.inference.port", environment.inference()::port);
        registry.add("xcomposer.retrieval.base-url", environment.retrievalProxy()::baseUrl);
        registry.add("xcomposer.composition.poll-interval", () -> "50ms");
    }

    @BeforeEach
    void longerTimeout() {
        this.web = this.web.mutate().responseTimeout(Duration.ofSeconds(90)).build();
    }

    /** What each gallery image shows, by retrieval-service's image id. */
    protected static GalleryTruth gallery() {
        return TestEnvironment.get().gallery();
    }

    /** The proxy composition-service reaches retrieval-service through; it can fail one search. */
    protected static FailingSearchProxy retrieval() {
        return TestEnvironment.get().retrievalProxy();
    }

    /** The CPU server's own count of inferences run by a model (Triton's nv_inference_count). */
    protected static double serverInferences(String model) {
        MeterRegistry registry = TestEnvironment.get().inference().context().getBean(MeterRegistry.class);
        return registry.find("nv_inference_count").tag("model", model).counters().stream()
                .mapToDouble(counter -> counter.count())
                .sum();
    }

    protected JsonNode post(String path, Map<String, ?> body, int expectedStatus) {
        String response = this.web
                .post()
                .uri(path)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(expectedStatus)
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        return JSON.readTree(response);
    }

    protected JsonNode get(String path) {
        return JSON.readTree(this.web
                .get()
                .uri(path)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody());
    }

    /** Sampling seed of the tests' articles unless a test gives its own, so every run writes the same articles. */
    protected static final long TEST_SEED = 1;

    protected String create(Map<String, ?> body) {
        Map<String, Object> seeded = new LinkedHashMap<>(body);
        seeded.putIfAbsent("seed", TEST_SEED);
        return post("/v1/compositions", seeded, 201).get("id").asString();
    }

    /** Polls the state until the run has finished; fails after 90 s. */
    protected JsonNode awaitFinished(String id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode state = get("/v1/compositions/" + id);
            if (!"running".equals(state.get("status").asString())) {
                return state;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError("composition " + id + " did not finish in 90 s");
    }

    /** Reads the event stream from {@code after} until it ends. */
    protected List<ServerSentEvent<String>> events(String id, long after) {
        return events(id, after, Duration.ofSeconds(90));
    }

    /** Reads the event stream from {@code after} until it ends; fails after {@code within}. */
    protected List<ServerSentEvent<String>> events(String id, long after, Duration within) {
        return this.web
                .get()
                .uri("/v1/compositions/{id}/events", id)
                .header("Last-Event-ID", Long.toString(after))
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> event.event() != null)
                .collectList()
                .block(within);
    }

    protected static List<JsonNode> blocks(JsonNode state, String type) {
        return state.get("blocks")
                .valueStream()
                .filter(block -> type.equals(block.get("type").asString()))
                .toList();
    }

    protected static void assertNoImageRepeats(JsonNode state) {
        List<String> shown = blocks(state, "image").stream()
                .filter(block -> !block.get("image").isNull())
                .map(block -> block.get("image").get("id").asString())
                .toList();
        assertThat(shown).doesNotHaveDuplicates();
    }
}
