package io.xcomposer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression floors for the tiny model, measured through the real serving path on a seeded stratified sample (20
 * records per task × language, captions of 100 gallery images per language against the full 1000-image gallery).
 * Each floor sits below the full run's value (model-repository/tiny/README.md, "Evaluation") by a margin for the
 * sample's noise (about 2.5 standard deviations of a 40-record rate), so only a real regression fails the build.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TinyModelEvaluationTests {

    private static final EvaluationPlan SAMPLE = new EvaluationPlan(20, 100, 7, 2, 300, Duration.ofSeconds(60));

    private static EvaluationResult result;

    @BeforeAll
    static void evaluateSample() {
        result = TinyModelEvaluation.run(Path.of(System.getProperty("model.repository")), SAMPLE);
    }

    @Test
    void everySampledRecordWasGenerated() {
        assertThat(result.records()).hasSize(20 * 20 + 2 * 20);
        assertThat(result.generationErrors()).isZero();
    }

    @ParameterizedTest(name = "{0} exact match >= {1}")
    @CsvSource({
        // task, floor; full run (both languages): measured value
        "caption,      0.90", // 97.5%
        "vqa,          0.68", // 84.0%
        "multiturn,    0.58", // 75.5%
        "text_only,    0.90", // 100%
        "spot,         0.90", // 100%
        "slot_caption, 0.90", // 98.5%
    })
    void exactMatchStaysAboveItsFloor(String task, double floor) {
        assertThat(rate(task, RecordResult::exactMatch)).isGreaterThanOrEqualTo(floor);
    }

    @Test
    void captionAttributeAccuracyStaysAboveItsFloor() {
        CaptionScore score = result.captionScore("en").plus(result.captionScore("zh"));
        // Full run: 98.7% of objects right on all four attributes.
        assertThat((double) score.correct() / score.objects()).isGreaterThanOrEqualTo(0.93);
    }

    @Test
    void articlesStayWellFormed() {
        // Full run: 100% (40/40); the sample holds every write record.
        assertThat(rate("write", RecordResult::wellFormed)).isGreaterThanOrEqualTo(0.90);
    }

    @ParameterizedTest(name = "{0} answers with a letter")
    @CsvSource({"choice", "multi_image", "select", "option_lookup"})
    void letterTasksStillAnswerWithALetter(String task) {
        assertThat(rate(
                        task,
                        r -> !RecordScorer.answerLetter(r.generation().text().strip())
                                .isEmpty()))
                .isGreaterThanOrEqualTo(0.95);
    }

    @ParameterizedTest(name = "{0} letter correct >= {1}")
    @CsvSource({
        // task, floor; full run (both languages): measured value, chance
        "choice,        0.26", // 46.0%, chance 25%
        "multi_image,   0.45", // 64.0%, chance 30%
        "select,        0.74", // 87.5%, chance 25%
        "option_lookup, 0.90", // 97.5%, chance 28%
    })
    void letterAccuracyStaysAboveItsFloor(String task, double floor) {
        assertThat(rate(task, RecordResult::letterCorrect)).isGreaterThanOrEqualTo(floor);
    }

    @ParameterizedTest(name = "retrieval {0}")
    @CsvSource({"en", "zh"})
    void retrievalStaysAboveItsFloors(String lang) {
        RetrievalResult retrieval = result.retrieval(lang);
        assertThat(retrieval.queries()).isEqualTo(100);
        assertThat(retrieval.galleryImages()).isEqualTo(1000);
        // Full run: recall@1 and @5 100% in both languages, self-retrieval 100%.
        assertThat(retrieval.recallAt1()).isGreaterThanOrEqualTo(0.90);
        assertThat(retrieval.recallAt5()).isGreaterThanOrEqualTo(0.97);
        assertThat(retrieval.selfRetrievalAt1()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void outOfDomainInputsGiveAnAnswerOrAContextError() {
        assertThat(result.outOfDomain())
                .hasSize(6)
                .allSatisfy(check -> assertThat(check.passed())
                        .as("%s: %s", check.check(), check.outcome())
                        .isTrue());
    }

    private static double rate(String task, Predicate<RecordResult> correct) {
        List<RecordResult> records = result.records().stream()
                .filter(r -> r.record().task().equals(task))
                .toList();
        assertThat(records).isNotEmpty();
        return (double) records.stream().filter(correct).count() / records.size();
    }
}
