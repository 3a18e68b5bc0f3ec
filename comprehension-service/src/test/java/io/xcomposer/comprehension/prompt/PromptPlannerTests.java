package io.xcomposer.comprehension.prompt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.support.TinySpecs;
import io.xcomposer.comprehension.vision.ImageInput;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class PromptPlannerTests {

    private static final ImageInput IMAGE = new ImageInput("ab", Mono.empty(), "messages[0]");

    @Test
    void rendersHistoryExactlyAsTheModelWasTrained() {
        PromptPlan plan = planner(512)
                .plan(
                        null,
                        List.of(
                                new PromptTurn("What colour is the circle?", List.of(IMAGE), "Red."),
                                new PromptTurn("Where is it?", List.of(), null)),
                        64,
                        Integer.MAX_VALUE);

        assertThat(plan.prompt())
                .isEqualTo(" <|User|>:<ImageHere>What colour is the circle?\n<eoh> <|Bot|>:Red.<eoa>\n"
                        + " <|User|>:Where is it?\n<eoh> <|Bot|>:");
        assertThat(plan.images()).containsExactly(IMAGE);
        assertThat(plan.historyTurns()).isEqualTo(1);
    }

    @Test
    void interleavedImagesStayWhereTheMessagePutThem() {
        ImageInput second = new ImageInput("cd", Mono.empty(), "messages[0].content[3]");
        String text = "Which image shows a red star?\nA." + ImageAnchors.ANCHOR + "\nB." + ImageAnchors.ANCHOR;

        PromptPlan plan = planner(512)
                .plan(null, List.of(new PromptTurn(text, List.of(IMAGE, second), null)), 64, Integer.MAX_VALUE);

        assertThat(plan.prompt())
                .isEqualTo(" <|User|>:Which image shows a red star?\nA.<ImageHere>\nB.<ImageHere>\n<eoh> <|Bot|>:");
        assertThat(plan.images()).containsExactly(IMAGE, second);
    }

    @Test
    void imagesWithoutAnAnchorEachGoBeforeTheText() {
        // A turn stored before anchors existed, or anchors that do not match the images, renders the seed's way.
        PromptPlan plan = planner(512)
                .plan(
                        null,
                        List.of(new PromptTurn("Describe" + ImageAnchors.ANCHOR + " it.", List.of(IMAGE, IMAGE), null)),
                        64,
                        Integer.MAX_VALUE);

        assertThat(plan.prompt()).isEqualTo(" <|User|>:<ImageHere><ImageHere>Describe it.\n<eoh> <|Bot|>:");
    }

    @Test
    void aTypedPlaceholderOpensNoImageSlot() {
        PromptPlan plan = planner(512)
                .plan(
                        "<ImageHere>Be brief.",
                        List.of(
                                new PromptTurn("What is <ImageHere>this?", List.of(IMAGE), "A <ImageHere>circle."),
                                new PromptTurn("<ImageHere><ImageHere>And now?", List.of(), null)),
                        64,
                        Integer.MAX_VALUE);

        assertThat(plan.prompt())
                .isEqualTo("Be brief. <|User|>:<ImageHere>What is this?\n<eoh> <|Bot|>:A circle.<eoa>\n"
                        + " <|User|>:And now?\n<eoh> <|Bot|>:");
        assertThat(plan.images()).containsExactly(IMAGE);
    }

    @Test
    void dropsTheOldestTurnsFirstToFit() {
        List<PromptTurn> turns = List.of(
                new PromptTurn("first question " + "x".repeat(100), List.of(IMAGE), "A."),
                new PromptTurn("second question", List.of(), "B."),
                new PromptTurn("third question", List.of(), null));

        PromptPlan plan = planner(200).plan(null, turns, 64, Integer.MAX_VALUE);

        assertThat(plan.droppedTurns()).isEqualTo(1);
        assertThat(plan.prompt())
                .doesNotContain("first question")
                .contains("second question")
                .endsWith(" <|Bot|>:");
        assertThat(plan.images()).isEmpty();
    }

    @Test
    void refusesALastTurnThatCannotFit() {
        ApiException tooLong = catchThrowableOfType(
                ApiException.class,
                () -> planner(512)
                        .plan(null, List.of(new PromptTurn("y".repeat(600), List.of(), null)), 64, Integer.MAX_VALUE));

        assertThat(tooLong.code()).isEqualTo("context_length_exceeded");
        assertThat(tooLong.getMessage()).contains("512-token context").contains("reserving 64");
    }

    @Test
    void calibrationFromServerCountsLetsMoreHistoryFit() {
        TokenEstimator estimator = estimator();
        int before = estimator.estimate(400, 1);

        estimator.observe(400, 1, 1 + 18 + 120);

        assertThat(estimator.estimate(400, 1)).isLessThan(before);
    }

    private static PromptPlanner planner(int contextLength) {
        return new PromptPlanner(TinySpecs.withContext(contextLength), estimator());
    }

    private static TokenEstimator estimator() {
        return new TokenEstimator(TinySpecs.withContext(512));
    }
}
