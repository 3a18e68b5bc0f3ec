package io.xcomposer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scorers, without a server: the reference answers must score perfectly, and near misses must not. */
class ScoringTests {

    private static final EvalData DATA =
            new EvalData(Path.of(System.getProperty("model.repository")).resolve("eval"));

    @Test
    void referenceAnswersScorePerfectlyOnEveryHeldOutRecord() {
        for (HeldOutRecord record : DATA.heldOut()) {
            // slot_caption generations end with the closing quote, as the model was trained to produce them.
            String generated = record.answer() + ("slot_caption".equals(record.task()) ? "\"" : "");
            RecordResult result = RecordScorer.score(record, new Generation(generated, "stop", 1, 1));
            assertThat(result.exactMatch()).as("exact, record %d", record.id()).isTrue();
            assertThat(result.letterCorrect())
                    .as("letter, record %d", record.id())
                    .isEqualTo(RecordResult.LETTER_TASKS.contains(record.task()));
            assertThat(result.wellFormed())
                    .as("well-formed, record %d", record.id())
                    .isEqualTo("write".equals(record.task()));
            if ("caption".equals(record.task())) {
                assertThat(result.caption().correct())
                        .as("record %d", record.id())
                        .isEqualTo(record.truth().size())
                        .isEqualTo(result.caption().stated())
                        .isPositive();
            }
        }
    }

    @Test
    void captionAttributesAreScoredPerObject() {
        List<SceneObject> truth = List.of(
                new SceneObject("square", "red", "small", "top left"),
                new SceneObject("star", "blue", "large", "center"));
        List<SceneObject> en =
                CaptionParser.objects("A small red square at the top and a small blue star in the center.", "en");
        assertThat(CaptionScore.of(truth, en)).isEqualTo(new CaptionScore(2, 0, 1, 1, 0, 1, 2));
        List<SceneObject> zh = CaptionParser.objects("左上方有一个小的红色正方形，中间有一个大的绿色星形。", "zh");
        assertThat(CaptionScore.of(truth, zh)).isEqualTo(new CaptionScore(2, 1, 1, 2, 2, 2, 2));
    }

    @Test
    void positionPhrasesAreReadLongestFirst() {
        assertThat(CaptionParser.objects("A large green circle at the top right.", "en"))
                .containsExactly(new SceneObject("circle", "green", "large", "top right"));
        assertThat(CaptionParser.objects("左上方有一个大的绿色圆形。", "zh"))
                .containsExactly(new SceneObject("circle", "green", "large", "top left"));
    }

    @Test
    void malformedArticlesAreNotWellFormed() {
        String good =
                "This article shows some pictures of red stars.\nIn the first picture, a small red star is on the left."
                        + "\nThese are all the pictures of red stars.";
        assertThat(ArticleCheck.wellFormed(good, "red stars", "en")).isTrue();
        assertThat(ArticleCheck.wellFormed(good, "blue stars", "en"))
                .as("theme")
                .isFalse();
        assertThat(ArticleCheck.wellFormed(good.replace("is on the left", "is on the left and"), "red stars", "en"))
                .as("broken object list")
                .isFalse();
        assertThat(ArticleCheck.wellFormed(
                        good.replace(
                                "a small red star is on the left",
                                "a small red star is on the left and a large red star is on the left"),
                        "red stars",
                        "en"))
                .as("two objects in one cell")
                .isFalse();
        assertThat(ArticleCheck.wellFormed("这篇文章展示了一些红色星形的图片。\n第一幅图中，左侧有一个小的红色星形。", "红色星形", "zh"))
                .as("two paragraphs")
                .isFalse();
    }

    @Test
    void letterMustStandAlone() {
        HeldOutRecord choice = new HeldOutRecord(1, "choice", "en", "", List.of(), "A.", List.of());
        assertThat(RecordScorer.score(choice, new Generation("A large red circle.", "stop", 1, 1))
                        .letterCorrect())
                .isFalse();
        assertThat(RecordScorer.score(choice, new Generation(" A", "stop", 1, 1))
                        .letterCorrect())
                .isTrue();
        assertThat(RecordScorer.score(choice, new Generation("A) red", "stop", 1, 1))
                        .letterCorrect())
                .isTrue();
    }

    @Test
    void themeIsReadFromTheTitle() {
        assertThat(ArticleCheck.theme(" <|User|>:根据给定标题写一个图文并茂，不重复的文章：A Day with Blue Squares\n<eoh> <|Bot|>:", "en"))
                .contains("blue squares");
        assertThat(ArticleCheck.theme(" <|User|>:根据给定标题写一个图文并茂，不重复的文章：和红色图形在一起的一天\n<eoh> <|Bot|>:", "zh"))
                .contains("红色图形");
    }
}
