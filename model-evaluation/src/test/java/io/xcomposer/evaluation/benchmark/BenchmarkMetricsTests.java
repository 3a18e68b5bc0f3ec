package io.xcomposer.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The official metrics against hand-computed cases. */
class BenchmarkMetricsTests {

    private static BenchmarkItem mcq(String id, String category, String l2, String answer, String... options) {
        return new BenchmarkItem(
                id, id, category, l2, "q", "", List.of(options), answer, List.of(), null, MatchRule.LETTER, false);
    }

    private static ItemResult answer(BenchmarkQuery query, String letter) {
        return ItemResult.scored(query, letter);
    }

    @Test
    void rotationsMoveTheAnswerWithItsOption() {
        List<BenchmarkQuery> rotations =
                BenchmarkQuery.rotations(mcq("7", "c", "l2", "B", "red", "blue", "green", "pink"));

        assertThat(rotations).extracting(BenchmarkQuery::key).containsExactly("7#0", "7#1", "7#2", "7#3");
        assertThat(rotations.get(1).options()).containsExactly("blue", "green", "pink", "red");
        // "blue" is B, then A, then D (rotation 2: green pink red blue), then C.
        assertThat(rotations).extracting(BenchmarkQuery::expected).containsExactly("B", "A", "D", "C");
        assertThat(rotations)
                .allSatisfy(q -> assertThat(q.options().get("ABCD".indexOf(q.expected())))
                        .isEqualTo("blue"));
    }

    @Test
    void circularEvaluationFailsAQuestionWhenOneRotationFails() {
        List<BenchmarkQuery> first =
                BenchmarkQuery.rotations(mcq("1", "colour", "fp", "A", "red", "blue", "green", "pink"));
        List<BenchmarkQuery> second = BenchmarkQuery.rotations(mcq("2", "colour", "fp", "C", "a", "b", "c"));
        List<BenchmarkQuery> third = BenchmarkQuery.rotations(mcq("3", "count", "cp", "B", "1", "2"));
        List<ItemResult> results = List.of(
                // question 1: right in rotations 0, 1 and 3, wrong in rotation 2 (expected C, answered D)
                answer(first.get(0), "A"),
                answer(first.get(1), "D"),
                answer(first.get(2), "D"),
                answer(first.get(3), "B"),
                // question 2: three options, all three rotations right
                answer(second.get(0), "C"),
                answer(second.get(1), "B"),
                answer(second.get(2), "A"),
                // question 3: two options, both right
                answer(third.get(0), "B"),
                answer(third.get(1), "A"));

        assertThat(first.get(2).expected()).isEqualTo("C");
        MmbenchScore score = MmbenchScore.of(results);

        assertThat(score.circular()).isEqualTo(new Tally(2, 3));
        // file order only: question 1 rotation 0 was right, so vanilla counts all three
        assertThat(score.vanilla()).isEqualTo(new Tally(3, 3));
        assertThat(score.byCategory()).containsEntry("colour", new Tally(1, 2)).containsEntry("count", new Tally(1, 1));
        assertThat(score.byL2Category()).containsEntry("fp", new Tally(1, 2)).containsEntry("cp", new Tally(1, 1));
        assertThat(score.requests()).isEqualTo(9);
        assertThat(score.circular().percent()).isCloseTo(66.667, org.assertj.core.data.Offset.offset(0.001));
    }

    @Test
    void unparsedAnswersAreWrongAndCounted() {
        List<BenchmarkQuery> q = BenchmarkQuery.rotations(mcq("1", "c", "l", "A", "red", "blue"));
        MmbenchScore score = MmbenchScore.of(List.of(answer(q.get(0), "A"), answer(q.get(1), "I cannot tell.")));

        assertThat(score.circular()).isEqualTo(new Tally(0, 1));
        assertThat(score.unparsed()).isEqualTo(1);
    }

    private static ItemResult mme(String subtask, String image, String expected, String response) {
        BenchmarkItem item = new BenchmarkItem(
                image + expected,
                subtask + "/" + image,
                subtask,
                MmeScore.family(subtask),
                "q",
                "",
                List.of(),
                expected,
                List.of(),
                null,
                MatchRule.YES_NO,
                false);
        return ItemResult.scored(BenchmarkQuery.plain(item), response);
    }

    @Test
    void mmeScoresAccPlusAccPlusPerSubtaskAndSumsPerception() {
        List<ItemResult> results = List.of(
                // existence: 3 images, 6 questions; 5 right (acc 83.33); images 1 and 2 fully right (acc+ 66.67)
                mme("existence", "1", "Yes", "Yes"), mme("existence", "1", "No", "No"),
                mme("existence", "2", "Yes", "Yes."), mme("existence", "2", "No", "No, there is not."),
                mme("existence", "3", "Yes", "Yes"), mme("existence", "3", "No", "Yes"),
                // color: 2 images; answers all "yes": acc 50, acc+ 0
                mme("color", "4", "Yes", "yes"), mme("color", "4", "No", "yes"),
                mme("color", "5", "Yes", "yes"), mme("color", "5", "No", "yes"),
                // code_reasoning (cognition): 1 image, both right: 100 + 100
                mme("code_reasoning", "6", "Yes", "Yes"), mme("code_reasoning", "6", "No", "no"),
                // a subtask MME does not define: reported, in neither sum
                mme("shapes", "7", "Yes", "Yes"), mme("shapes", "7", "No", "No"));

        MmeScore score = MmeScore.of(results);

        MmeScore.Subtask existence = score.subtasks().stream()
                .filter(s -> s.name().equals("existence"))
                .findFirst()
                .orElseThrow();
        assertThat(existence.acc()).isCloseTo(500.0 / 6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(existence.accPlus()).isCloseTo(200.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(existence.images()).isEqualTo(new Tally(2, 3));
        assertThat(score.perception()).isCloseTo(500.0 / 6 + 200.0 / 3 + 50, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(score.cognition()).isCloseTo(200, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(score.total()).isCloseTo(score.perception() + 200, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(score.subtasks())
                .filteredOn(s -> s.name().equals("shapes"))
                .singleElement()
                .extracting(MmeScore.Subtask::family)
                .isEqualTo(MmeScore.UNASSIGNED);
    }

    @Test
    void mmeAssignsSubtasksAsMmeDefinesThem() {
        assertThat(MmeScore.family("OCR")).isEqualTo(MmeScore.PERCEPTION);
        assertThat(MmeScore.family("artwork")).isEqualTo(MmeScore.PERCEPTION);
        assertThat(MmeScore.family("numerical_calculation")).isEqualTo(MmeScore.COGNITION);
        assertThat(MmeScore.family("text translation")).isEqualTo(MmeScore.COGNITION);
        assertThat(MmeScore.family("anything else")).isEqualTo(MmeScore.UNASSIGNED);
    }

    @Test
    void seedAccuracyIsOverAllQuestionsAndPerDimension() {
        BenchmarkItem a = mcq("1", "Instance Attributes", "-", "A", "x", "y", "z", "w");
        BenchmarkItem b = mcq("2", "Instance Attributes", "-", "B", "x", "y", "z", "w");
        BenchmarkItem c = mcq("3", "Instances Counting", "-", "C", "1", "2", "3", "4");
        SeedScore score = SeedScore.of(List.of(
                answer(BenchmarkQuery.plain(a), "A"),
                answer(BenchmarkQuery.plain(b), "The answer is A"),
                answer(BenchmarkQuery.plain(c), "3")));

        assertThat(score.overall()).isEqualTo(new Tally(2, 3));
        assertThat(score.byDimension())
                .containsEntry("Instance Attributes", new Tally(1, 2))
                .containsEntry("Instances Counting", new Tally(1, 1));
    }

    @Test
    void slicesUseEachItemsMatchRule() {
        BenchmarkItem exact = new BenchmarkItem(
                "1", "1", "vqa", "en", "q", "", List.of(), "Red.", List.of(), null, MatchRule.EXACT, false);
        BenchmarkItem pattern = new BenchmarkItem(
                "2",
                "2",
                "no-image",
                "zh",
                "q",
                "",
                List.of(),
                "(?i)no image|没有图片",
                List.of(),
                null,
                MatchRule.PATTERN,
                false);
        BenchmarkItem letter = new BenchmarkItem(
                "3", "3", "choice", "en", "q", "", List.of(), "B.", List.of(), null, MatchRule.LETTER, false);

        assertThat(ItemResult.scored(BenchmarkQuery.plain(exact), " red ").correct())
                .isTrue();
        assertThat(ItemResult.scored(BenchmarkQuery.plain(exact), "Red circle.").correct())
                .isFalse();
        assertThat(ItemResult.scored(BenchmarkQuery.plain(pattern), "没有图片。请发一张图片。")
                        .correct())
                .isTrue();
        assertThat(ItemResult.scored(BenchmarkQuery.plain(pattern), "红色。").correct())
                .isFalse();
        assertThat(ItemResult.scored(BenchmarkQuery.plain(letter), "B.").correct())
                .isTrue();
        assertThat(ItemResult.scored(BenchmarkQuery.plain(letter), "A.").correct())
                .isFalse();
        SliceScore score = SliceScore.of(List.of(
                ItemResult.scored(BenchmarkQuery.plain(exact), "Red."),
                ItemResult.scored(BenchmarkQuery.plain(letter), "hmm")));
        assertThat(score.bySlice())
                .containsEntry("vqa (en)", new Tally(1, 1))
                .containsEntry("choice (en)", new Tally(0, 1));
        assertThat(score.unparsedBySlice()).containsEntry("choice (en)", 1);
    }
}
