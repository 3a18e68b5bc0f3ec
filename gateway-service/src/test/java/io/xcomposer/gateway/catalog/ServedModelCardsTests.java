package io.xcomposer.gateway.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.xcomposer.gateway.downstream.TestDownstreams;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served models' context lengths as the gateway reads them from comprehension's {@code GET /v1/models}: a
 * loopback server stands in for comprehension and answers what each test sets.
 */
class ServedModelCardsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CARD =
            "{\"object\":\"list\",\"data\":[{\"id\":\"xcomposer-7b\",\"object\":\"model\",\"context_length\":2048,"
                    + "\"max_model_len\":2048}]}";

    private final AtomicReference<HttpResponseStatus> status = new AtomicReference<>(HttpResponseStatus.OK);
    private final AtomicInteger reads = new AtomicInteger();
    private final DisposableServer comprehension = HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(routes -> routes.get("/v1/models", (request, response) -> {
                reads.incrementAndGet();
                HttpResponseStatus now = status.get();
                return response.status(now)
                        .header("content-type", "application/json")
                        .sendString(
                                Mono.just(now == HttpResponseStatus.OK ? CARD : "{\"error\":{\"message\":\"down\"}}"))
                        .then();
            }))
            .bindNow(WAIT);

    @AfterEach
    void stop() {
        comprehension.disposeNow();
    }

    private static ServedModelCards cards(String url, Duration freshFor) {
        return new ServedModelCards(
                TestDownstreams.to(url), JsonMapper.builder().build(), freshFor, Duration.ofMillis(50));
    }

    private String url() {
        return "http://127.0.0.1:" + comprehension.port();
    }

    @Test
    void readsTheServedModelsContextLength_andReusesItWhileFresh() {
        ServedModelCards cards = cards(url(), Duration.ofMinutes(1));

        assertThat(cards.contextLengths().block(WAIT)).isEqualTo(Map.of("xcomposer-7b", 2048));
        assertThat(cards.contextLengths().block(WAIT)).isEqualTo(Map.of("xcomposer-7b", 2048));
        assertThat(reads).hasValue(1);
    }

    @Test
    void whenComprehensionFailsLater_theLastNumbersReadStayInUse() throws InterruptedException {
        ServedModelCards cards = cards(url(), Duration.ofMillis(50));
        assertThat(cards.contextLengths().block(WAIT)).containsEntry("xcomposer-7b", 2048);

        status.set(HttpResponseStatus.SERVICE_UNAVAILABLE);
        Thread.sleep(100);

        assertThat(cards.contextLengths().block(WAIT)).isEqualTo(Map.of("xcomposer-7b", 2048));
        assertThat(reads.get()).as("read again once stale").isGreaterThan(1);
    }

    @Test
    void beforeAnyAnswer_noLengthsAreKnown_andTheAnswerComesWithinTheBound() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ServedModelCards cards = cards("http://127.0.0.1:" + closedPort, Duration.ofMinutes(1));

        long start = System.nanoTime();
        assertThat(cards.contextLengths().block(WAIT)).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(ServedModelCards.WAIT_AT_MOST.plusSeconds(3));
    }
}
