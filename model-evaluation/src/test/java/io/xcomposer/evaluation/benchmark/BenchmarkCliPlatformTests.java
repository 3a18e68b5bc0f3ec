package io.xcomposer.evaluation.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The harness end to end on small samples of the synthetic sets, through the real gateway, comprehension-service
 * and CPU model server with the tiny model. The checks recompute each report's figures from the result lines
 * (the model's actual answers), and interrupt and resume a run.
 */
class BenchmarkCliPlatformTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Path OUT = Path.of("target/benchmark-e2e");

    private static String url;

    private static String key;

    @BeforeAll
    static void platform() {
        TinyPlatform platform = TinyPlatform.get();
        url = platform.url();
        key = platform.newKey("benchmark-e2e");
        FileSystemUtils.deleteRecursively(OUT.toFile());
    }

    private static BenchmarkReport run(String benchmark, String file, int limit, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--benchmark",
                benchmark,
                "--data",
                BenchmarkFilesTests.SETS.resolve(file).toString(),
                "--base-url",
                url,
                "--api-key",
                key,
                "--model",
                TinyPlatform.MODEL,
                "--out",
                OUT.resolve(benchmark).toString(),
                "--limit",
                String.valueOf(limit),
                "--concurrency",
                "3"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        return BenchmarkCli.run(
                BenchmarkOptions.parse(args, Map.of()),
                new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private static List<JsonNode> lines(String benchmark) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(OUT.resolve(benchmark).resolve("results.jsonl"))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    private static JsonNode reportJson(String benchmark) throws Exception {
        return JSON.readTree(OUT.resolve(benchmark).resolve("report.json").toFile());
    }

    @Test
    void mmbenchCircularScoreIsRecomputedFromTheModelsAnswers() throws Exception {
        run("mmbench", "mmbench_en.tsv", 6, "--prompt-style", "tiny");

        List<JsonNode> lines = lines("mmbench");
        List<BenchmarkItem> items = BenchmarkFiles.read(
                        BenchmarkKind.MMBENCH, BenchmarkFilesTests.SETS.resolve("mmbench_en.tsv"), null)
                .subList(0, 6);
        int rotations = items.stream().mapToInt(i -> i.options().size()).sum();
        assertThat(lines).hasSize(rotations);
        Map<String, Boolean> allRight = new LinkedHashMap<>();
        for (JsonNode line : lines) {
            assertThat(line.path("error").isNull())
                    .as("no failed request: %s", line)
                    .isTrue();
            String response = line.path("response").asString();
            assertThat(response).isNotBlank();
            // the stored letter is what the extractor reads from the stored response, and decides correctness
            BenchmarkItem item = items.stream()
                    .filter(i -> i.id().equals(line.path("itemId").asString()))
                    .findFirst()
                    .orElseThrow();
            BenchmarkQuery query =
                    BenchmarkQuery.rotations(item).get(line.path("rotation").asInt());
            Extraction extraction = AnswerExtractor.option(response, query.options());
            assertThat(
                            line.path("extracted").isNull()
                                    ? null
                                    : line.path("extracted").asString())
                    .isEqualTo(extraction.value());
            assertThat(line.path("correct").asBoolean())
                    .isEqualTo(query.expected().equals(extraction.value()));
            allRight.merge(line.path("group").asString(), line.path("correct").asBoolean(), Boolean::logicalAnd);
        }
        JsonNode circular = reportJson("mmbench").path("score").path("circular");
        assertThat(circular.path("total").asInt()).isEqualTo(6);
        assertThat(circular.path("correct").asInt())
                .isEqualTo((int) allRight.values().stream().filter(b -> b).count());
        assertThat(Files.readString(OUT.resolve("mmbench/report.svg")))
                .startsWith("<svg")
                .contains("object_counting");
        assertThat(Files.readString(OUT.resolve("mmbench/report.md"))).contains("circular accuracy");
    }

    @Test
    void mmeScoreIsRecomputedAndAnInterruptedRunResumes() throws Exception {
        BenchmarkReport first = run("mme", "mme.tsv", 8);
        Path results = OUT.resolve("mme/results.jsonl");
        List<String> full = Files.readAllLines(results);
        assertThat(full).hasSize(8);

        // Recompute acc and acc+ of the one subtask in the sample from the lines.
        int right = 0;
        Map<String, Boolean> images = new LinkedHashMap<>();
        for (JsonNode line : lines("mme")) {
            String read =
                    AnswerExtractor.yesNo(line.path("response").asString()).value();
            boolean correct = line.path("expected").asString().equals(read);
            assertThat(line.path("correct").asBoolean()).isEqualTo(correct);
            right += correct ? 1 : 0;
            images.merge(line.path("group").asString(), correct, Boolean::logicalAnd);
        }
        double acc = 100.0 * right / 8;
        double accPlus = 100.0 * images.values().stream().filter(b -> b).count() / images.size();
        assertThat(images).hasSize(4);
        JsonNode score = reportJson("mme").path("score");
        assertThat(score.path("perception").asDouble())
                .isCloseTo(acc + accPlus, org.assertj.core.data.Offset.offset(1e-9));

        // Interrupt: the last two results never arrived and the last write was torn.
        Files.write(results, full.subList(0, 6));
        Files.writeString(results, full.get(6).substring(0, 20), java.nio.file.StandardOpenOption.APPEND);
        BenchmarkReport resumed = run("mme", "mme.tsv", 8);

        Map<String, ItemResult> after = BenchmarkRunner.readResults(results);
        assertThat(after).hasSize(8);
        // greedy decoding: the two questions asked again get the same answers
        assertThat(resumed.score()).isEqualTo(first.score());
        assertThat(Files.readAllLines(results)).hasSize(9); // 6 kept, the torn one, the 2 asked again
    }

    @Test
    void seedAndSlicesRunThroughTheGateway() throws Exception {
        BenchmarkReport seed = run("seed", "seed.json", 8);
        List<JsonNode> seedLines = lines("seed");
        assertThat(seedLines).hasSize(8);
        long right =
                seedLines.stream().filter(l -> l.path("correct").asBoolean()).count();
        assertThat(((SeedScore) seed.score()).overall()).isEqualTo(new Tally((int) right, 8));
        assertThat(seed.endpoint()).isEqualTo(url + "/v1/chat/completions");

        BenchmarkReport slices = run("slices", "slices.jsonl", 12);
        SliceScore score = (SliceScore) slices.score();
        assertThat(score.bySlice().keySet()).contains("vqa (en)", "vqa+system (en)", "no-image (en)");
        assertThat(score.failed()).isZero();
        for (JsonNode line : lines("slices")) {
            assertThat(line.path("response").asString()).isNotBlank();
        }
    }
}
