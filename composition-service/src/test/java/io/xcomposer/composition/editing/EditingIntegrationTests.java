package io.xcomposer.composition.editing;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;

class EditingIntegrationTests extends IntegrationTest {

    private String id;

    private JsonNode before;

    private long lastSeq;

    private void composed(String title) {
        this.id = create(Map.of("title", title));
        this.lastSeq = events(this.id, 0).size();
        this.before = get("/v1/compositions/" + this.id);
        assertThat(this.before.get("status").asString()).isEqualTo("completed");
    }

    private List<String> editEvents() {
        return events(this.id, this.lastSeq).stream()
                .map(ServerSentEvent::event)
                .toList();
    }

    private JsonNode slot(JsonNode state, int paragraph) {
        return blocks(state, "image").stream()
                .filter(block -> block.get("paragraph").asInt() == paragraph)
                .findFirst()
                .orElse(null);
    }

    private int firstSlot() {
        return blocks(this.before, "image").get(0).get("paragraph").asInt();
    }

    @Test
    void searchWithEditedCaption_givesNewCandidates_excludingImagesShownElsewhere() {
        composed("A Tour of Red Circles");
        int paragraph = firstSlot();
        String wantedId = gallery().images().stream()
                .map(image -> image.id())
                .filter(image -> !shownExcept(this.before, -1).contains(image))
                .findFirst()
                .orElseThrow();
        String caption = gallery().image(wantedId).captionEn();

        JsonNode after = post(
                "/v1/compositions/" + this.id + "/slots/" + paragraph + ":search", Map.of("caption", caption), 200);

        JsonNode edited = slot(after, paragraph);
        assertThat(edited.get("caption").asString()).isEqualTo(caption);
        List<String> candidates = edited.get("candidates")
                .valueStream()
                .map(c -> c.get("id").asString())
                .toList();
        assertThat(candidates).hasSize(4).doesNotContainAnyElementsOf(shownExcept(this.before, paragraph));
        assertThat(edited.get("image").get("id").asString()).isEqualTo(candidates.get(0));
        assertThat(candidates).contains(wantedId);
        assertThat(blocks(after, "text")).isEqualTo(blocks(this.before, "text"));
        assertNoImageRepeats(after);
        assertThat(editEvents()).containsExactly("slot_caption", "candidates", "image_selected", "edit_done");
    }

    @Test
    void chooseAnotherCandidate_byIndexAndById() {
        composed("Blue Squares Everywhere");
        int paragraph = firstSlot();
        JsonNode candidates = slot(this.before, paragraph).get("candidates");

        JsonNode byIndex =
                post("/v1/compositions/" + this.id + "/slots/" + paragraph + ":choose", Map.of("candidate", 2), 200);
        assertThat(slot(byIndex, paragraph).get("image").get("id").asString())
                .isEqualTo(candidates.get(2).get("id").asString());
        assertThat(slot(byIndex, paragraph).get("selection").asString()).isEqualTo("user");

        JsonNode byId = post(
                "/v1/compositions/" + this.id + "/slots/" + paragraph + ":choose",
                Map.of("image_id", candidates.get(3).get("id").asString()),
                200);
        assertThat(slot(byId, paragraph).get("candidate").asInt()).isEqualTo(3);
        assertThat(blocks(byId, "text")).isEqualTo(blocks(this.before, "text"));

        post("/v1/compositions/" + this.id + "/slots/" + paragraph + ":choose", Map.of("candidate", 9), 400);
    }

    @Test
    void chooseRefusesAnImageShownInAnotherSlot_andChangesNothing() {
        composed("A Tour of Red Circles");
        List<JsonNode> images = blocks(this.before, "image");
        assertThat(images).hasSizeGreaterThanOrEqualTo(2);
        int first = images.get(0).get("paragraph").asInt();
        int second = images.get(1).get("paragraph").asInt();
        // The second slot searched with the first slot's caption shows one of the first slot's other candidates.
        JsonNode searched = post(
                "/v1/compositions/" + this.id + "/slots/" + second + ":search",
                Map.of("caption", images.get(0).get("caption").asString()),
                200);
        String takenBySecond = slot(searched, second).get("image").get("id").asString();
        List<String> firstCandidates = slot(searched, first)
                .get("candidates")
                .valueStream()
                .map(candidate -> candidate.get("id").asString())
                .toList();
        assertThat(firstCandidates).contains(takenBySecond);

        JsonNode refused = post(
                "/v1/compositions/" + this.id + "/slots/" + first + ":choose", Map.of("image_id", takenBySecond), 409);

        assertThat(refused.at("/error/code").asString()).isEqualTo("image_in_use");
        assertThat(refused.at("/error/message").asString()).contains(takenBySecond);
        assertThat(get("/v1/compositions/" + this.id)).isEqualTo(searched);
        assertNoImageRepeats(searched);
    }

    @Test
    void deleteImage_removesOnlyThatSlot() {
        composed("The Story of Green Triangles");
        int paragraph = firstSlot();

        String response = this.web
                .delete()
                .uri("/v1/compositions/{id}/slots/{p}", this.id, paragraph)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        JsonNode after = JSON.readTree(response);

        assertThat(slot(after, paragraph)).isNull();
        assertThat(blocks(after, "image")).hasSize(blocks(this.before, "image").size() - 1);
        assertThat(blocks(after, "text")).isEqualTo(blocks(this.before, "text"));
        assertThat(editEvents()).containsExactly("slot_removed", "edit_done");
        this.web
                .delete()
                .uri("/v1/compositions/{id}/slots/{p}", this.id, paragraph)
                .exchange()
                .expectStatus()
                .isNotFound();
    }

    @Test
    void addImageAfterParagraph_captionWrittenByTheModel() {
        composed("A Day with Orange Squares");
        double llm = serverInferences("llm");

        JsonNode after = post("/v1/compositions/" + this.id + "/slots", Map.of("after_paragraph", 0), 200);

        JsonNode added = slot(after, 0);
        assertThat(added.get("caption").asString()).isNotBlank();
        assertThat(added.get("image").get("id").asString()).isNotIn(shownExcept(after, 0));
        assertThat(blocks(after, "image")).hasSize(blocks(this.before, "image").size() + 1);
        assertThat(serverInferences("llm") - llm).isEqualTo(1);
        assertNoImageRepeats(after);
        assertThat(editEvents()).containsExactly("slot_caption", "candidates", "image_selected", "edit_done");
        post("/v1/compositions/" + this.id + "/slots", Map.of("after_paragraph", 0), 409);
    }

    @Test
    void insertFixedNumberOfImages_respotsWithThatCount() {
        composed("红色圆形之旅");

        JsonNode after = post("/v1/compositions/" + this.id + ":insert-images", Map.of("count", 1), 200);

        assertThat(blocks(after, "image"))
                .hasSize(1)
                .allSatisfy(
                        block -> assertThat(block.get("selection").asString()).isEqualTo("first"));
        assertThat(blocks(after, "text")).isEqualTo(blocks(this.before, "text"));
        assertThat(editEvents())
                .containsExactly("slots_chosen", "slot_caption", "candidates", "image_selected", "edit_done");
    }

    @Test
    void rewriteParagraph_replacesOnlyThatParagraph() {
        composed("Looking at Blue Stars");

        JsonNode after =
                post("/v1/compositions/" + this.id + "/paragraphs/0:rewrite", Map.of("instruction", "expand"), 200);

        List<ServerSentEvent<String>> events = events(this.id, this.lastSeq);
        ServerSentEvent<String> done = events.get(events.size() - 2);
        assertThat(done.event()).isEqualTo("paragraph_done");
        String rewritten = JSON.readTree(done.data()).get("text").asString();
        assertThat(blocks(after, "text").get(0).get("text").asString())
                .isEqualTo(rewritten)
                .isNotBlank();
        assertThat(blocks(after, "text").subList(1, blocks(after, "text").size()))
                .isEqualTo(blocks(this.before, "text")
                        .subList(1, blocks(this.before, "text").size()));
        assertThat(blocks(after, "image")).isEqualTo(blocks(this.before, "image"));
        assertThat(events.get(0).event()).isEqualTo("text_delta");
        assertThat(events.get(events.size() - 1).event()).isEqualTo("edit_done");
        assertThat(after.get("usage").get("llm_calls").asLong())
                .isEqualTo(this.before.get("usage").get("llm_calls").asLong() + 1);
    }

    @Test
    void editWhileRunning_isRefused() {
        String running = create(Map.of("title", "A Tour of Red Circles"));
        post("/v1/compositions/" + running + "/paragraphs/0:rewrite", Map.of("instruction", "shorten"), 409);
        awaitFinished(running);
    }

    private static List<String> shownExcept(JsonNode state, int paragraph) {
        return blocks(state, "image").stream()
                .filter(block -> block.get("paragraph").asInt() != paragraph
                        && !block.get("image").isNull())
                .map(block -> block.get("image").get("id").asString())
                .toList();
    }
}
