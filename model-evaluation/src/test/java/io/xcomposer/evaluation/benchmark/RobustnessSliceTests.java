package io.xcomposer.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Regression floors for the tiny model's robustness slices (issue 15: system messages, phrasing, no image, several
 * shapes, letters), every item of {@code eval/benchmarks/slices.jsonl} through the real gateway, comprehension-service
 * and CPU model server, as a client sends them. Each floor sits below the full run's value
 * (model-repository/tiny/README.md, "Robustness slices") by about two standard deviations of a 40-item rate, so only a
 * real regression fails the build. Rows the committed model gets (almost) never right, US spelling and no image under a
 * system message, have no floor yet: raise them when a retrained model lifts them.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RobustnessSliceTests {

    private static final Path OUT = Path.of("target/benchmark-slices");

    private static SliceScore score;

    @BeforeAll
    static void runSlices() throws Exception {
        TinyPlatform platform = TinyPlatform.get();
        BenchmarkOptions options = BenchmarkOptions.parse(
                List.of(
                        "--benchmark",
                        "slices",
                        "--data",
                        BenchmarkFilesTests.SETS.resolve("slices.jsonl").toString(),
                        "--base-url",
                        platform.url(),
                        "--api-key",
                        platform.newKey("benchmark-slices"),
                        "--model",
                        TinyPlatform.MODEL,
                        "--prompt-style",
                        "tiny",
                        "--concurrency",
                        "3",
                        "--out",
                        OUT.toString()),
                Map.of());
        score = (SliceScore) BenchmarkCli.run(
                        options,
                        new PrintStream(new ByteArrayOutputStream()),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .score();
    }

    @Test
    void everyItemWasAnswered() {
        assertThat(score.failed()).isZero();
        assertThat(score.bySlice().values().stream().mapToInt(Tally::total).sum())
                .isEqualTo(520);
    }

    @ParameterizedTest(name = "{0} >= {1}")
    @CsvSource({
        // slice (both languages), floor; full run: measured value (model-repository/tiny/README.md)
        "vqa,                      0.60", // 77.5% (31/40)
        "vqa+system,               0.05", // 17.5% (7/40); target: within 3 points of vqa
        "no-image,                 0.05", // 15.0% (6/40); target >= 95%
        "position-1-shapes,        0.90", // 100% (40/40)
        "position-2-shapes,        0.25", // 42.5% (17/40); target >= 85%
        "position-3-shapes,        0.15", // 32.5% (13/40); target >= 85%
        "multi-image-images-first, 0.10", // 27.5% (11/40), chance about 30%; target >= 80%
        "lettered-choice,          0.35", // 55.0% (22/40); target >= 80%
        "colour-uk,                0.55", // 80.0% (16/20, English only)
        "vqa-2,                    0.62", // 80.0% (32/40)
        "vqa+phrasing,             0.32", // 50.0% (20/40)
        "yes-no-binding,           0.42", // 60.0% (24/40), chance 50%
        // no floor above zero yet: color-us 0% (0/20), no-image+system 2.5% (1/40)
    })
    void sliceStaysAboveItsFloor(String slice, double floor) {
        assertThat(rate(slice)).as(slice).isGreaterThanOrEqualTo(floor);
    }

    /** Both languages of one slice together (40 items; the US-spelling pair exists in English only: 20). */
    private static double rate(String slice) {
        Tally sum = Tally.ZERO;
        for (Map.Entry<String, Tally> e : score.bySlice().entrySet()) {
            if (e.getKey().startsWith(slice + " (")) {
                sum = sum.plus(e.getValue());
            }
        }
        assertThat(sum.total()).as(slice).isPositive();
        return (double) sum.correct() / sum.total();
    }
}
