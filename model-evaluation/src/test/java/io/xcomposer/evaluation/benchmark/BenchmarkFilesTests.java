package io.xcomposer.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The readers, on the committed synthetic sets and on hand-written rows in the published layouts. */
class BenchmarkFilesTests {

    static final Path SETS = Path.of(System.getProperty("model.repository", "../model-repository/tiny"))
            .resolve("eval/benchmarks");

    private static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

    @Test
    void readsTheSyntheticMmbenchSets() throws Exception {
        for (String lang : List.of("en", "zh")) {
            List<BenchmarkItem> items =
                    BenchmarkFiles.read(BenchmarkKind.MMBENCH, SETS.resolve("mmbench_" + lang + ".tsv"), null);
            assertThat(items).hasSize(240);
            assertThat(items)
                    .extracting(BenchmarkItem::category)
                    .containsOnly(
                            "attribute_recognition", "shape_recognition", "object_localization", "object_counting");
            assertThat(items).allSatisfy(i -> {
                assertThat(i.options()).hasSizeBetween(3, 4);
                assertThat(i.imageUrls()).singleElement().asString().startsWith("data:image/png;base64,iVBOR");
                assertThat(i.rotated()).isFalse();
            });
        }
    }

    @Test
    void pairsMmeQuestionsByImage() throws Exception {
        List<BenchmarkItem> items = BenchmarkFiles.read(BenchmarkKind.MME, SETS.resolve("mme.tsv"), null);
        assertThat(items).hasSize(288);
        Map<String, List<BenchmarkItem>> byImage = items.stream().collect(Collectors.groupingBy(BenchmarkItem::group));
        assertThat(byImage).hasSize(144).allSatisfy((image, questions) -> {
            assertThat(questions).extracting(BenchmarkItem::answer).containsExactly("Yes", "No");
            assertThat(questions.get(1).imageUrls()).isEqualTo(questions.get(0).imageUrls());
        });
        assertThat(items).extracting(BenchmarkItem::l2Category).containsOnly(MmeScore.PERCEPTION);
    }

    @Test
    void readsSeedAndSlices() throws Exception {
        List<BenchmarkItem> seed = BenchmarkFiles.read(BenchmarkKind.SEED, SETS.resolve("seed.json"), null);
        assertThat(seed).hasSize(240);
        assertThat(seed)
                .extracting(BenchmarkItem::category)
                .containsOnly("Instance Identity", "Instance Attributes", "Instance Location", "Instances Counting");
        List<BenchmarkItem> slices = BenchmarkFiles.read(BenchmarkKind.SLICES, SETS.resolve("slices.jsonl"), null);
        assertThat(slices).hasSize(520);
        assertThat(slices)
                .filteredOn(i ->
                        i.category().startsWith("vqa+system") || i.category().equals("no-image+system"))
                .hasSize(80)
                .allSatisfy(i -> assertThat(i.system()).isNotNull());
        assertThat(slices)
                .filteredOn(i -> i.category().startsWith("no-image"))
                .hasSize(80)
                .allSatisfy(i -> assertThat(i.imageUrls()).isEmpty());
        assertThat(slices)
                .filteredOn(i -> i.category().equals("yes-no-binding"))
                .hasSize(40)
                .allSatisfy(i -> assertThat(i.imageUrls()).hasSize(1));
    }

    @Test
    void readsQuotedFieldsAndCircularCopiesAsPandasWritesThem() {
        String tsv = "index\tquestion\thint\tA\tB\tC\tD\tanswer\tcategory\tl2-category\timage\n"
                + "3\t\"Which one says \"\"hi\"\"?\tReally?\"\tnan\tx\ty\t\t\tB\tocr\tfp\t" + PNG + "\n"
                + "1000003\t\"Which one says \"\"hi\"\"?\tReally?\"\tnan\ty\tx\t\t\tA\tocr\tfp\t3\n";

        List<BenchmarkItem> items = BenchmarkFiles.mmbench(TsvTable.parse(tsv));

        assertThat(items).hasSize(2);
        assertThat(items.get(0).question()).isEqualTo("Which one says \"hi\"?\tReally?");
        assertThat(items.get(0).hint()).isEmpty();
        assertThat(items.get(0).options()).containsExactly("x", "y");
        assertThat(items).extracting(BenchmarkItem::group).containsOnly("3");
        assertThat(items).allSatisfy(i -> assertThat(i.rotated()).isTrue());
        assertThat(items.get(1).imageUrls()).isEqualTo(items.get(0).imageUrls());
        // already rotated in the file: asked as they are, and grouped for the circular metric
        BenchmarkOptions options = BenchmarkOptions.parse(
                List.of(
                        "--benchmark",
                        "mmbench",
                        "--data",
                        "x.tsv",
                        "--base-url",
                        "http://127.0.0.1:1",
                        "--model",
                        "m",
                        "--api-key",
                        "k"),
                Map.of());
        assertThat(BenchmarkCli.queries(options, items))
                .extracting(BenchmarkQuery::key)
                .containsExactly("3", "1000003");
    }

    @Test
    void refusesRowsWithoutAnswers() {
        String tsv = "index\tquestion\tA\tB\tanswer\timage\n0\tq\tx\ty\t\t" + PNG + "\n";
        assertThatThrownBy(() -> BenchmarkFiles.mmbench(TsvTable.parse(tsv))).hasMessageContaining("no answer");
    }
}
