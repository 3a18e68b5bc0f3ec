package io.xcomposer.composition.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;

class ResumeIntegrationTests extends IntegrationTest {

    @Test
    void clientLeavesMidComposition_resumesWithLastEventId_getsTheRest_andTheModelRanOnce() throws Exception {
        double llmBefore = serverInferences("llm");
        String id = create(Map.of("title", "Looking at Purple Stars", "select", true));

        List<ServerSentEvent<String>> beforeLeaving = this.web
                .get()
                .uri("/v1/compositions/{id}/events", id)
                .exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> event.event() != null)
                .takeUntil(event -> "paragraph_done".equals(event.event()))
                .collectList()
                .block(Duration.ofSeconds(60));
        long lastSeen =
                Long.parseLong(beforeLeaving.get(beforeLeaving.size() - 1).id());
        Thread.sleep(300);
        assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("running");

        List<ServerSentEvent<String>> rest = events(id, lastSeen);
        JsonNode state = get("/v1/compositions/" + id);

        List<ServerSentEvent<String>> all = new ArrayList<>(beforeLeaving);
        all.addAll(rest);
        assertThat(all)
                .extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, all.size())
                        .mapToObj(Long::toString)
                        .toList());
        assertThat(rest.get(rest.size() - 1).event()).isEqualTo("done");
        assertThat(all).filteredOn(event -> "created".equals(event.event())).hasSize(1);
        assertThat(state.get("status").asString()).isEqualTo("completed");

        List<String> paragraphs = all.stream()
                .filter(event -> "paragraph_done".equals(event.event()))
                .map(event -> JSON.readTree(event.data()).get("text").asString())
                .toList();
        assertThat(blocks(state, "text"))
                .extracting(block -> block.get("text").asString())
                .containsExactlyElementsOf(paragraphs);

        long llmCalls = state.get("usage").get("llm_calls").asLong();
        assertThat(llmCalls).isEqualTo(2 + 2L * blocks(state, "image").size());
        assertThat(serverInferences("llm") - llmBefore).isEqualTo(llmCalls);
    }

    @Test
    void afterQueryParameter_replaysFromThatEvent() {
        String id = create(Map.of("title", "A Day with Orange Squares"));
        List<ServerSentEvent<String>> all = events(id, 0);

        List<ServerSentEvent<String>> tail = this.web
                .get()
                .uri("/v1/compositions/{id}/events?after=3", id)
                .exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> event.event() != null)
                .collectList()
                .block(Duration.ofSeconds(60));

        assertThat(tail)
                .extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(all.subList(3, all.size()).stream()
                        .map(ServerSentEvent::id)
                        .toList());
    }

    @Test
    void resumingAfterTheLastEvent_endsAtOnce_insteadOfWaitingForEventsThatNeverCome() {
        String id = create(Map.of("title", "A Day with Orange Squares", "images", 0));
        List<ServerSentEvent<String>> all = events(id, 0);
        String last = all.get(all.size() - 1).id();

        List<ServerSentEvent<String>> after = this.web
                .get()
                .uri("/v1/compositions/{id}/events", id)
                .header("Last-Event-ID", last)
                .exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> event.event() != null)
                .collectList()
                .block(Duration.ofSeconds(10));

        assertThat(after).isEmpty();
    }

    @Test
    void unknownComposition_is404WithThePlatformErrorShape() {
        this.web
                .get()
                .uri("/v1/compositions/cmp_missing/events")
                .exchange()
                .expectStatus()
                .isNotFound()
                .expectBody()
                .jsonPath("$.error.code")
                .isEqualTo("composition_not_found");
    }
}
