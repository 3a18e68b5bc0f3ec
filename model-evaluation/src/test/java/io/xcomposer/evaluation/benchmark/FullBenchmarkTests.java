package io.xcomposer.evaluation.benchmark;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The harness on every synthetic set, whole, through the real gateway (tag {@code benchmark-full}, excluded by
 * default; docs/evaluation.md). Each set runs with the seed's prompts and with the tiny model's own layout;
 * reports go to {@code target/benchmark-full/<set>-<style>/}, all Markdown reports together to
 * {@code target/benchmark-full/summary.md}.
 */
@Tag("benchmark-full")
class FullBenchmarkTests {

    private static final Path OUT = Path.of("target/benchmark-full");

    @Test
    void runsEverySyntheticSet() throws Exception {
        TinyPlatform platform = TinyPlatform.get();
        String key = platform.newKey("benchmark-full");
        StringBuilder summary = new StringBuilder();
        List<List<String>> runs = List.of(
                List.of("mmbench", "mmbench_en.tsv", "xcomposer"),
                List.of("mmbench", "mmbench_en.tsv", "tiny"),
                List.of("mmbench-cn", "mmbench_zh.tsv", "xcomposer"),
                List.of("mmbench-cn", "mmbench_zh.tsv", "tiny"),
                List.of("mme", "mme.tsv", "xcomposer"),
                List.of("mme", "mme.tsv", "tiny"),
                List.of("seed", "seed.json", "xcomposer"),
                List.of("seed", "seed.json", "tiny"),
                List.of("slices", "slices.jsonl", "tiny"));
        for (List<String> run : runs) {
            long started = System.nanoTime();
            BenchmarkOptions options = BenchmarkOptions.parse(
                    List.of(
                            "--benchmark", run.get(0),
                            "--data",
                                    BenchmarkFilesTests.SETS.resolve(run.get(1)).toString(),
                            "--base-url", platform.url(),
                            "--api-key", key,
                            "--model", TinyPlatform.MODEL,
                            "--prompt-style", run.get(2),
                            "--concurrency", "4",
                            "--out", OUT.resolve(run.get(0) + "-" + run.get(2)).toString()),
                    Map.of());
            BenchmarkReport report = BenchmarkCli.run(
                    options,
                    new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(System.err, true, StandardCharsets.UTF_8));
            summary.append(report.markdown())
                    .append(String.format("\n(%.0f s)\n\n", (System.nanoTime() - started) / 1e9));
        }
        Files.writeString(OUT.resolve("summary.md"), summary, StandardCharsets.UTF_8);
    }
}
