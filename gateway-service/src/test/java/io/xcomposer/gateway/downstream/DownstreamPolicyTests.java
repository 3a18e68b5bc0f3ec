package io.xcomposer.gateway.downstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.xcomposer.common.error.ApiException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * {@link Downstream} with its Resilience4j breaker and retry against a loopback HTTP server answering the status a
 * test asks for ({@code /status/{code}}), a slow route, and a port nothing listens on: load shedding is passed on and
 * never counted nor retried, 4xx count as success, real faults open the breaker, and an open breaker (the default 1 s wait) lets trial
 * calls through again after {@code breaker-open-for}.
 */
class DownstreamPolicyTests {

    private static final ParameterizedTypeReference<String> TEXT = new ParameterizedTypeReference<>() {};
    private static final Duration OPEN_FOR = Duration.ofSeconds(1);

    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile int answer = 503;
    private final DisposableServer server = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(routes -> routes.get("/status", (request, response) -> {
                        hits.computeIfAbsent("status", k -> new AtomicInteger()).incrementAndGet();
                        int status = answer;
                        response.status(HttpResponseStatus.valueOf(status)).header("content-type", "application/json");
                        if (status == 429 || status == 503) {
                            response.header("Retry-After", "7");
                        }
                        return response.sendString(Mono.just("{\"error\":{\"message\":\"answered " + status
                                        + "\",\"type\":\"t\",\"param\":null,\"code\":\"c" + status + "\"}}"))
                                .then();
                    })
                    .get(
                            "/slow",
                            (request, response) -> Mono.delay(Duration.ofSeconds(2))
                                    .then(response.sendString(Mono.just("late")).then())))
            .bindNow(Duration.ofSeconds(10));

    @AfterEach
    void stop() {
        server.disposeNow(Duration.ofSeconds(5));
    }

    @Test
    void loadShedding_isPassedOnWithItsRetryAfter_neverRetried_andNeverOpensTheBreaker() {
        Downstream downstream = downstream("http://127.0.0.1:" + server.port());
        for (int status : new int[] {503, 429}) {
            answer = status;
            for (int i = 0; i < 20; i++) {
                assertThatThrownBy(() -> call(downstream, "/status"))
                        .isInstanceOfSatisfying(DownstreamStatusException.class, error -> {
                            assertThat(error.status().value()).isEqualTo(status);
                            assertThat(error.headers().getFirst("Retry-After")).isEqualTo("7");
                            assertThat(error.body()).contains("\"code\":\"c" + status + "\"");
                        });
            }
        }
        assertThat(hits.get("status"))
                .as("one request per call: 429/503 are not retried")
                .hasValue(40);
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(downstream.breaker().getMetrics().getNumberOfFailedCalls()).isZero();
    }

    @Test
    void clientErrors_countAsSuccess() {
        Downstream downstream = downstream("http://127.0.0.1:" + server.port());
        answer = 400;
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> call(downstream, "/status")).isInstanceOf(DownstreamStatusException.class);
        }
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(downstream.breaker().getMetrics().getNumberOfSuccessfulCalls())
                .isEqualTo(10);
    }

    @Test
    void serverErrors_openTheBreaker_whichLetsTrialsThroughAfterItsWait_andClosesOnSuccess() throws Exception {
        Downstream downstream = downstream("http://127.0.0.1:" + server.port());
        answer = 500;
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> call(downstream, "/status")).isInstanceOf(DownstreamStatusException.class);
        }
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThatThrownBy(() -> call(downstream, "/status"))
                .isInstanceOfSatisfying(
                        ApiException.class, error -> assertThat(error.code()).isEqualTo("upstream_circuit_open"));
        assertThat(hits.get("status")).as("an open breaker sends nothing").hasValue(5);

        answer = 200; // the service is back
        long back = System.nanoTime();
        String body = null;
        while (body == null && System.nanoTime() - back < Duration.ofSeconds(5).toNanos()) {
            try {
                body = call(downstream, "/status");
            } catch (ApiException stillOpen) {
                Thread.sleep(20);
            }
        }
        long recoveredMs = (System.nanoTime() - back) / 1_000_000;
        System.out.printf(
                "breaker: first success %d ms after the service returned (open-for %d ms)%n",
                recoveredMs, OPEN_FOR.toMillis());
        assertThat(body).contains("answered 200");
        assertThat(recoveredMs).isLessThanOrEqualTo(OPEN_FOR.toMillis() + 300);
        for (int i = 0; i < 2; i++) {
            call(downstream, "/status");
        }
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void timeouts_areFaults() {
        Downstream downstream = downstream("http://127.0.0.1:" + server.port());
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> call(downstream, "/slow"))
                    .isInstanceOfSatisfying(
                            ApiException.class,
                            error -> assertThat(error.code()).isEqualTo("upstream_timeout"));
        }
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void refusedConnections_areRetried_andAreFaults() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Downstream downstream = downstream("http://127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> call(downstream, "/status"))
                .isInstanceOfSatisfying(
                        ApiException.class, error -> assertThat(error.code()).isEqualTo("upstream_unavailable"));
        assertThat(downstream.breaker().getMetrics().getNumberOfFailedCalls())
                .as("first attempt + 2 retries")
                .isEqualTo(3);
        assertThatThrownBy(() -> call(downstream, "/status")).isInstanceOf(ApiException.class);
        assertThat(downstream.breaker().getState()).isEqualTo(CircuitBreaker.State.OPEN);
    }

    private static Downstream downstream(String url) {
        return TestDownstreams.to(url);
    }

    private static String call(Downstream downstream, String path) {
        return downstream
                .exchange(HttpMethod.GET, path, headers -> {}, new byte[0], TEXT)
                .flatMap(entity -> entity.getBody().collectList().map(parts -> String.join("", parts)))
                .block(Duration.ofSeconds(10));
    }
}
