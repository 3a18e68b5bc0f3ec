package io.xcomposer.common.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.common.error.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

class ServerSentEventsTests {

    private final ObjectMapper json = JsonMapper.builder().build();

    @Test
    void keepAlivesFillTheQuietTimesAndStopWithTheEvents() {
        StepVerifier.withVirtualTime(() -> ServerSentEvents.withKeepAlive(
                                Flux.just("a", "b")
                                        .delayElements(Duration.ofSeconds(24))
                                        .map(ServerSentEvents::data),
                                Duration.ofSeconds(10))
                        .map(ServerSentEventsTests::describe))
                .thenAwait(Duration.ofSeconds(60))
                .expectNext(": keep-alive", ": keep-alive", "data a", ": keep-alive", ": keep-alive", "data b")
                // Nothing after the last event: the ticker ended with the stream.
                .verifyComplete();
    }

    @Test
    void aFailingStreamFailsWithoutFurtherKeepAlives() {
        StepVerifier.withVirtualTime(() -> ServerSentEvents.withKeepAlive(
                                Flux.<ServerSentEvent<String>>error(new IllegalStateException("cut"))
                                        .delaySubscription(Duration.ofSeconds(15)),
                                Duration.ofSeconds(10),
                                "ping")
                        .map(ServerSentEventsTests::describe))
                .thenAwait(Duration.ofSeconds(15))
                .expectNext(": ping")
                .expectErrorMessage("cut")
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void anErrorEventCarriesThePlatformsErrorBodyThenDone() {
        ApiException failure = ApiException.gatewayTimeout("The model did not answer in time.");

        List<ServerSentEvent<String>> events = ServerSentEvents.errorThenDone(failure.toResponse(), this.json)
                .collectList()
                .block(Duration.ofSeconds(5));

        assertThat(events).hasSize(2);
        JsonNode error = this.json.readTree(events.get(0).data()).get("error");
        assertThat(error.get("message").asString()).isEqualTo("The model did not answer in time.");
        assertThat(error.get("type").asString()).isEqualTo("server_error");
        assertThat(error.get("code").asString()).isEqualTo("timeout");
        assertThat(events.get(1).data()).isEqualTo("[DONE]");
    }

    @Test
    void rawFramesAreWhatTheEncoderWouldWrite() {
        assertThat(text(ServerSentEvents.doneFrame())).isEqualTo("data: [DONE]\n\n");
        assertThat(text(ServerSentEvents.dataFrame("{\"a\":1}"))).isEqualTo("data: {\"a\":1}\n\n");
        assertThat(text(ServerSentEvents.dataFrame("one\ntwo\r\nthree")))
                .isEqualTo("data: one\ndata: two\ndata: three\n\n");
        assertThat(text(ServerSentEvents.commentFrame("ping"))).isEqualTo(": ping\n\n");
    }

    private static String describe(ServerSentEvent<String> event) {
        return event.comment() != null ? ": " + event.comment() : "data " + event.data();
    }

    private static String text(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
