package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import io.xcomposer.composition.support.SceneObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;

class CompositionPipelineIntegrationTests extends IntegrationTest {

    private static final List<String> TITLES = List.of(
            "A Tour of Red Circles",
            "Blue Squares Everywhere",
            "The Story of Green Triangles",
            "A Day with Orange Stars",
            "Looking at Yellow Shapes",
            "红色圆形之旅",
            "蓝色正方形的故事",
            "看看黄色星形",
            "到处都是紫色图形",
            "和三角形在一起的一天");

    @Test
    void englishTitle_yieldsIllustratedArticle_withOrderedEvents_markdownAndExport() throws IOException {
        String id = create(Map.of("title", "A Tour of Red Circles", "select", true));
        List<ServerSentEvent<String>> events = events(id, 0);
        JsonNode state = get("/v1/compositions/" + id);

        assertThat(state.get("status").asString()).isEqualTo("completed");
        assertThat(state.get("language").asString()).isEqualTo("en");
        assertThat(blocks(state, "text"))
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(block -> assertThat(block.get("text").asString()).isNotBlank());
        assertThat(blocks(state, "image"))
                .isNotEmpty()
                .allSatisfy(block ->
                        assertThat(block.get("image").get("url").asString()).startsWith("http://"));
        assertThat(blocks(state, "text").get(1).get("text").asString()).startsWith("In the first picture");
        assertNoImageRepeats(state);

        assertThat(events)
                .extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, events.size())
                        .mapToObj(Long::toString)
                        .toList());
        List<String> types =
                events.stream().map(ServerSentEvent::event).distinct().toList();
        assertThat(types)
                .containsExactly(
                        "created",
                        "text_delta",
                        "paragraph_done",
                        "slots_chosen",
                        "slot_caption",
                        "candidates",
                        "image_selected",
                        "done");
        JsonNode done = JSON.readTree(events.get(events.size() - 1).data());
        assertThat(done.get("usage").get("llm_calls").asLong())
                .isEqualTo(2 + 2L * blocks(state, "image").size());
        assertThat(done.get("usage").get("completion_tokens").asLong()).isPositive();

        String markdown = this.web
                .get()
                .uri("/v1/compositions/{id}/markdown", id)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .returnResult()
                .getResponseBody();
        assertThat(markdown)
                .startsWith("# A Tour of Red Circles\n\n")
                .contains(blocks(state, "text").get(0).get("text").asString());
        assertThat(markdown.split("!\\[", -1)).hasSize(blocks(state, "image").size() + 1);

        byte[] zip = this.web
                .get()
                .uri("/v1/compositions/{id}/export", id)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(byte[].class)
                .returnResult()
                .getResponseBody();
        Set<String> entries = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                entries.add(entry.getName());
                if (entry.getName().startsWith("images/")) {
                    assertThat(in.readAllBytes()).startsWith(0x89, 'P', 'N', 'G');
                }
            }
        }
        assertThat(entries)
                .contains("article.md")
                .hasSize(1 + blocks(state, "image").size());
    }

    @Test
    void chineseTitle_yieldsChineseIllustratedArticle() {
        JsonNode state = awaitFinished(create(Map.of("title", "红色圆形之旅")));

        assertThat(state.get("status").asString()).isEqualTo("completed");
        assertThat(state.get("language").asString()).isEqualTo("zh");
        assertThat(blocks(state, "text")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(blocks(state, "text").get(1).get("text").asString()).startsWith("第一幅图中");
        assertThat(blocks(state, "image"))
                .isNotEmpty()
                .allSatisfy(block -> assertThat(block.get("caption").asString()).contains("有一个"));
        assertNoImageRepeats(state);
    }

    @Test
    void withoutSelectInTheRequest_theModelsAdviceDecides() {
        // The tiny llm publishes composition.select_by_default "false": its selection is worse than the first
        // candidate (docs/composition-pipeline.md, "Measured").
        JsonNode state = awaitFinished(create(Map.of("title", "The Story of Green Triangles")));

        assertThat(state.get("select").asBoolean()).isFalse();
        assertThat(blocks(state, "image"))
                .isNotEmpty()
                .allSatisfy(
                        block -> assertThat(block.get("selection").asString()).isEqualTo("first"));
        JsonNode selecting = awaitFinished(create(Map.of("title", "The Story of Green Triangles", "select", true)));
        assertThat(selecting.get("select").asBoolean()).isTrue();
        assertThat(blocks(selecting, "image"))
                .isNotEmpty()
                .allSatisfy(
                        block -> assertThat(block.get("selection").asString()).isIn("model", "fallback"));
    }

    @Test
    void selectOff_showsTheFirstCandidate_andRunsNoSelection() {
        double before = serverInferences("vision_encoder");
        JsonNode state = awaitFinished(create(Map.of("title", "Blue Squares Everywhere", "select", false)));

        assertThat(blocks(state, "image")).isNotEmpty().allSatisfy(block -> {
            assertThat(block.get("selection").asString()).isEqualTo("first");
            assertThat(block.get("image").get("id").asString())
                    .isEqualTo(block.get("candidates").get(0).get("id").asString());
        });
        assertThat(serverInferences("vision_encoder")).isEqualTo(before);
    }

    @Test
    void theSeedMakesTheArticleRepeatable() {
        JsonNode first = awaitFinished(create(Map.of("title", "Looking at Purple Stars", "seed", 42)));
        JsonNode again = awaitFinished(create(Map.of("title", "Looking at Purple Stars", "seed", 42)));

        assertThat(first.get("seed").asLong()).isEqualTo(42);
        assertThat(blocks(again, "text")).isEqualTo(blocks(first, "text")).hasSizeGreaterThanOrEqualTo(3);
        JsonNode unseeded = post("/v1/compositions", Map.of("title", "Looking at Purple Stars"), 201);
        assertThat(unseeded.get("seed").isIntegralNumber()).isTrue();
        awaitFinished(unseeded.get("id").asString());
    }

    @Test
    void aNegativeSeedIsRefusedAndStartsNothing() {
        JsonNode refused = post("/v1/compositions", Map.of("title", "A Tour of Red Circles", "seed", -1), 400);

        assertThat(refused.at("/error/type").asString()).isEqualTo("invalid_request_error");
        assertThat(refused.at("/error/param").asString()).isEqualTo("seed");
    }

    /**
     * The acceptance measure, over ten titles (five per language) with model selection on: the share of images
     * whose gallery truth matches the slot caption's parsed objects, for the image the model selected and for the
     * first candidate (what is shown with selection off, the tiny model's default). "Exact" compares size, colour,
     * shape and position of every object; "objects" compares colour and shape only; the last line counts slots for
     * which the gallery holds an exact match at all. Articles are sampled with the tests' fixed seed and every other
     * step is greedy, so runs repeat (docs/composition-pipeline.md, "Measured").
     */
    @Test
    void shownImagesMatchTheirSlotCaptions() {
        Map<String, List<Boolean>> outcomes = new LinkedHashMap<>();
        int fallbacks = 0;
        int slots = 0;
        List<String> misses = new ArrayList<>();
        for (String title : TITLES) {
            JsonNode state = awaitFinished(create(Map.of("title", title, "select", true)));
            assertThat(state.get("status").asString()).as(title).isEqualTo("completed");
            assertNoImageRepeats(state);
            for (JsonNode block : blocks(state, "image")) {
                slots++;
                List<SceneObject> wanted =
                        SceneObject.parse(block.get("caption").asString());
                String shown = block.get("image").get("id").asString();
                String first = block.get("candidates").get(0).get("id").asString();
                record(outcomes, "exact, selection on", exact(wanted, shown));
                record(outcomes, "exact, selection off", exact(wanted, first));
                record(outcomes, "objects, selection on", sameObjects(wanted, shown));
                record(outcomes, "objects, selection off", sameObjects(wanted, first));
                record(
                        outcomes,
                        "exact match exists in gallery",
                        gallery().images().stream().anyMatch(image -> exact(wanted, image.id())));
                fallbacks += "fallback".equals(block.get("selection").asString()) ? 1 : 0;
                if (!exact(wanted, shown)) {
                    misses.add(title + " ¶" + block.get("paragraph").asInt() + ": "
                            + block.get("caption").asString()
                            + " -> shown " + gallery().image(shown).captionEn() + " (first candidate "
                            + gallery().image(first).captionEn() + ")");
                }
            }
        }
        StringBuilder report = new StringBuilder("image match over " + slots + " slots of " + TITLES.size()
                + " articles (fallbacks " + fallbacks + "):");
        outcomes.forEach((name, values) -> report.append(String.format("%n  %-32s %5.1f%%", name, 100 * rate(values))));
        misses.forEach(miss -> report.append("\n  miss: ").append(miss));
        System.out.println(report);
        assertThat(slots).isGreaterThanOrEqualTo(TITLES.size() * 2);
        // The 90 % target holds for the first candidate (measured 29/30 exact); the tiny model's own selection
        // gets colour and shape right (29/30) but size or position only 19/30, so its floor guards against a relapse
        // to chance (about a third of slots would then match in colour and shape).
        assertThat(rate(outcomes.get("exact match exists in gallery"))).isGreaterThanOrEqualTo(0.95);
        assertThat(rate(outcomes.get("exact, selection off"))).isGreaterThanOrEqualTo(0.90);
        assertThat(rate(outcomes.get("objects, selection off"))).isGreaterThanOrEqualTo(0.90);
        assertThat(rate(outcomes.get("objects, selection on"))).isGreaterThanOrEqualTo(0.80);
        assertThat(fallbacks).as("selection answers that name no candidate").isZero();
    }

    private static void record(Map<String, List<Boolean>> outcomes, String name, boolean outcome) {
        outcomes.computeIfAbsent(name, key -> new ArrayList<>()).add(outcome);
    }

    private static boolean exact(List<SceneObject> wanted, String imageId) {
        return !wanted.isEmpty()
                && new HashSet<>(wanted)
                        .equals(new HashSet<>(gallery().image(imageId).objects()));
    }

    private static boolean sameObjects(List<SceneObject> wanted, String imageId) {
        return !wanted.isEmpty()
                && colourShapes(wanted)
                        .equals(colourShapes(gallery().image(imageId).objects()));
    }

    private static List<String> colourShapes(List<SceneObject> objects) {
        return objects.stream()
                .map(object -> object.colour() + " " + object.shape())
                .sorted()
                .toList();
    }

    private static double rate(List<Boolean> outcomes) {
        return outcomes.stream().filter(Boolean::booleanValue).count() / (double) outcomes.size();
    }
}
