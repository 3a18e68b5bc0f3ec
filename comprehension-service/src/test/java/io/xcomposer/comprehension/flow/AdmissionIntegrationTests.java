package io.xcomposer.comprehension.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.config.FlowControlProperties;
import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.inference.server.config.ServerProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Admission matches the model server's capacity: with as many generations admitted as the server has slots and
 * the rest queued, every admitted chat completes; none is refused by the server as its slots turn over.
 */
@IntegrationTest
class AdmissionIntegrationTests {

    private static final int ROUNDS = 3;

    @Autowired
    private WebTestClient client;

    @Autowired
    private FlowControlProperties flow;

    @Test
    void everyAdmittedChatCompletesWhenRunningAndQueuedFillTheLimits() {
        int slots =
                TestModelServer.get().context().getBean(ServerProperties.class).maxConcurrentGenerations();
        assertThat(this.flow.maxConcurrent())
                .as("the service admits what the server can run")
                .isEqualTo(slots);
        int admitted = this.flow.maxConcurrent() + this.flow.maxQueued();
        // Several rounds: each slot turns over many times, and each turnover is a chance to race.
        for (int round = 0; round < ROUNDS; round++) {
            List<Integer> statuses = Flux.range(0, admitted)
                    .flatMap(
                            i -> Flux.defer(() -> Flux.just(post(i))).subscribeOn(Schedulers.boundedElastic()),
                            admitted)
                    .collectList()
                    .block(Duration.ofSeconds(60));
            System.out.printf(
                    "%d concurrent chats (admission %d running + %d queued, %d server slots): %s%n",
                    admitted, this.flow.maxConcurrent(), this.flow.maxQueued(), slots, statuses);
            assertThat(statuses).hasSize(admitted).containsOnly(200);
        }
    }

    private int post(int i) {
        Map<String, Object> body = Chat.request(null, Chat.user(Chat.text("Describe picture number " + i + ".")));
        return this.client
                .mutate()
                .responseTimeout(Duration.ofSeconds(60))
                .build()
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .returnResult(String.class)
                .getStatus()
                .value();
    }
}
