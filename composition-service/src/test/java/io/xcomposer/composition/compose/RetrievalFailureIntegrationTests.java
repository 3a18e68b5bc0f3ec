package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;

class RetrievalFailureIntegrationTests extends IntegrationTest {

    @Test
    void secondSearchFails_articleCompletes_andThatSlotReportsItsError() {
        retrieval().failSearch(2);
        String id = create(Map.of("title", "The Story of Yellow Circles"));
        List<ServerSentEvent<String>> events = events(id, 0);
        JsonNode state = get("/v1/compositions/" + id);

        assertThat(state.get("status").asString()).isEqualTo("completed");
        List<JsonNode> images = blocks(state, "image");
        assertThat(images).hasSizeGreaterThanOrEqualTo(2);
        JsonNode failed = images.get(1);
        assertThat(failed.get("image").isNull()).isTrue();
        assertThat(failed.get("error").get("stage").asString()).isEqualTo("retrieval");
        assertThat(failed.get("error").get("code").asString()).isEqualTo("upstream_http_500");
        assertThat(images.get(0).get("image").isNull()).isFalse();
        assertThat(images.subList(2, images.size()))
                .allSatisfy(block -> assertThat(block.get("image").isNull()).isFalse());

        List<ServerSentEvent<String>> slotFailures = events.stream()
                .filter(event -> "slot_failed".equals(event.event()))
                .toList();
        assertThat(slotFailures).hasSize(1);
        assertThat(JSON.readTree(slotFailures.get(0).data()).get("paragraph").asInt())
                .isEqualTo(failed.get("paragraph").asInt());
        assertThat(events.get(events.size() - 1).event()).isEqualTo("done");
    }
}
