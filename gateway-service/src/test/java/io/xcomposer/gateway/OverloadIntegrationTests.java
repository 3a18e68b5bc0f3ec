package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.downstream.Downstreams;
import io.xcomposer.gateway.support.ComprehensionStack;
import io.xcomposer.gateway.support.SseClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Overload beyond comprehension's admission limit, with real parts: redis-server, the CPU inference server on the
 * tiny model, the real comprehension-service admitting 20 generations and queueing none, and the gateway with its
 * default breaker. 64 streamed chats start at once: comprehension sheds what it cannot run (503 + Retry-After), and
 * the gateway must pass that on as it is, never turn it into {@code upstream_circuit_open}, and must not disturb
 * the admitted streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OverloadIntegrationTests {

    private static final int ADMITTED = 20;
    private static final int CLIENTS = 64;

    private ComprehensionStack stack;

    @BeforeAll
    void startStack() {
        // The model server may run more than comprehension admits: the limit under test is comprehension's.
        stack = new ComprehensionStack(
                List.of("xcomposer.server.max-concurrent-generations=" + CLIENTS),
                List.of(
                        "--xcomposer.comprehension.flow.max-concurrent=" + ADMITTED,
                        "--xcomposer.comprehension.flow.max-queued=0"),
                // All 64 at once must reach comprehension, not the gateway's per-key burst (60 by default).
                List.of("--xcomposer.gateway.limits.burst=1000"));
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void streamsBeyondTheAdmissionLimit_areRefusedWithRetryAfter_neverByTheBreaker_andAdmittedOnesComplete()
            throws Exception {
        String key = stack.gateway
                .getBean(ApiKeyStore.class)
                .create("overload", 0, 0)
                .block(Duration.ofSeconds(5))
                .secret();
        SseClient sse = new SseClient(stack.port, key);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Outcome>> futures = new ArrayList<>();
        long began = System.nanoTime();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                String body = "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"seed\":" + i + ",\"temperature\":1.0,"
                        + "\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Describe two shapes.\"}]}";
                futures.add(clients.submit(() -> {
                    start.await();
                    try (SseClient.Response response = sse.post("/v1/chat/completions", body, Map.of())) {
                        if (response.status() != 200) {
                            return new Outcome(
                                    response.status(), response.header("Retry-After"), response.body(), List.of());
                        }
                        return new Outcome(200, null, null, response.readAll());
                    }
                }));
            }
            start.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> future : futures) {
                outcomes.add(future.get(120, TimeUnit.SECONDS));
            }
            double seconds = (System.nanoTime() - began) / 1e9;

            List<Outcome> refused =
                    outcomes.stream().filter(outcome -> outcome.status() != 200).toList();
            List<Outcome> admitted =
                    outcomes.stream().filter(outcome -> outcome.status() == 200).toList();
            System.out.printf(
                    "overload: %d clients, %d admitted, %d refused (status/Retry-After %s) in %.1f s%n",
                    CLIENTS,
                    admitted.size(),
                    refused.size(),
                    refused.stream()
                            .map(outcome -> outcome.status() + "/" + outcome.retryAfter())
                            .distinct()
                            .toList(),
                    seconds);

            assertThat(refused)
                    .as("refusals: comprehension admits only %d at once", ADMITTED)
                    .isNotEmpty();
            assertThat(admitted).as("admitted streams").hasSizeGreaterThanOrEqualTo(ADMITTED);
            assertThat(refused).allSatisfy(outcome -> {
                assertThat(outcome.status()).isIn(429, 503);
                assertThat(outcome.retryAfter())
                        .as("Retry-After of %s", outcome.body())
                        .isNotBlank();
                assertThat(outcome.body())
                        .doesNotContain("upstream_circuit_open")
                        .contains("\"error\"");
            });
            assertThat(admitted).allSatisfy(outcome -> {
                List<SseClient.Event> events = outcome.events();
                assertThat(events).isNotEmpty();
                assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
                assertThat(events)
                        .as("an admitted stream carries no error event")
                        .noneMatch(event -> event.data().startsWith("{\"error\""));
                assertThat(events).anyMatch(event -> event.data().contains("\"finish_reason\":\""));
            });
            assertThat(stack.gateway
                            .getBean(Downstreams.class)
                            .comprehension()
                            .breaker()
                            .getState())
                    .isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(stack.gateway
                            .getBean(MeterRegistry.class)
                            .find("resilience4j.circuitbreaker.state")
                            .tags("name", "comprehension", "state", "closed")
                            .gauge()
                            .value())
                    .as("breaker state exposed as a meter")
                    .isEqualTo(1.0);
        } finally {
            clients.shutdownNow();
        }
    }

    private record Outcome(int status, String retryAfter, String body, List<SseClient.Event> events) {}
}
