package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;

/** {@code exclude-from-search: offered}, the seed demo's rule: no gallery image is offered to two slots. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "xcomposer.composition.exclude-from-search=offered")
class SeedExclusionIntegrationTests extends IntegrationTest {

    @Test
    void candidateListsOfAnArticleAreDisjoint() {
        JsonNode state = awaitFinished(create(Map.of("title", "A Tour of Red Circles")));

        List<JsonNode> slots = blocks(state, "image");
        assertThat(slots).hasSizeGreaterThanOrEqualTo(2);
        List<String> offered = slots.stream()
                .flatMap(slot -> slot.get("candidates").valueStream())
                .map(candidate -> candidate.get("id").asString())
                .toList();
        assertThat(offered).hasSize(4 * slots.size()).doesNotHaveDuplicates();
        assertNoImageRepeats(state);
    }
}
