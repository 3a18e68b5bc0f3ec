package io.xcomposer.evaluation;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Renders an {@link EvaluationResult} as the Markdown section of model-repository/tiny/README.md. */
public final class MarkdownReport {

    private static final Pattern OPTION_LINE = Pattern.compile("(?m)^[A-D]\\. ");

    /** An image placeholder right after its letter, as in the held-out set's interleaved multi-image prompts. */
    private static final Pattern LETTERED_IMAGE = Pattern.compile("[A-D]\\.<ImageHere>");

    static final String COMMAND =
            "./mvnw -q -pl model-evaluation test -Dgroups=full-evaluation -Dexcluded.test.groups=";

    private MarkdownReport() {}

    public static String render(EvaluationResult result, LocalDate date) {
        StringBuilder md = new StringBuilder();
        md.append("## Evaluation\n\n");
        md.append(
                        "Measured through the serving path: cpu-inference-server started in-process, every call over gRPC/TCP "
                                + "through inference-client's `TritonClient` (ImagePreprocessor → `vision_encoder` → greedy `llm` "
                                + "generation with the model's stop strings, max ")
                .append(result.plan().maxTokens())
                .append(" tokens).\n\n");
        md.append("- Command: `")
                .append(COMMAND)
                .append("` (from the repository root; also writes " + "`model-evaluation/target/evaluation.md`)\n");
        md.append("- Machine: ")
                .append(Runtime.getRuntime().availableProcessors())
                .append("-core CPU, cpu-inference-server; ")
                .append(date)
                .append("; run took ")
                .append(minutes(result))
                .append("\n");
        md.append("- Data: ").append(result.plan().describe()).append(" (eval/heldout.jsonl, eval/gallery.jsonl)\n");
        md.append("- Generation errors: ").append(result.generationErrors()).append("\n\n");
        appendTasks(md, result);
        appendCaptions(md, result);
        appendRetrieval(md, result);
        appendOutOfDomain(md, result);
        return md.toString();
    }

    private static void appendTasks(StringBuilder md, EvaluationResult result) {
        md.append("### Held-out tasks\n\n");
        md.append("| task | lang | n | exact match | task metric |\n|---|---|---:|---:|---|\n");
        for (Map.Entry<String, List<RecordResult>> entry : result.byStratum().entrySet()) {
            List<RecordResult> stratum = entry.getValue();
            HeldOutRecord first = stratum.get(0).record();
            String exact =
                    "write".equals(first.task()) ? "n/a (random content)" : count(stratum, RecordResult::exactMatch);
            md.append("| ")
                    .append(first.task())
                    .append(" | ")
                    .append(first.lang())
                    .append(" | ")
                    .append(stratum.size())
                    .append(" | ")
                    .append(exact)
                    .append(" | ")
                    .append(taskMetric(stratum))
                    .append(" |\n");
        }
        md.append("\nExact match compares the trimmed answer with the reference (`slot_caption`: the closing `\"` the "
                + "prompt opens is dropped first). Letter tasks count the leading stand-alone letter A–D; chance is 1 / "
                + "number of options (`multi_image`: 2–4 images, `option_lookup`: 2–4 options, mean shown). `write` well-formed: at least 3 "
                + "paragraphs, the first naming the title's theme, at least one \"In the Nth picture, …\" / "
                + "\"第N幅图中，…\" paragraph, and every such paragraph exactly an object list in the scene grammar with "
                + "one object per cell (structure only: the content is random, so it is not compared).\n\n");
    }

    private static String taskMetric(List<RecordResult> stratum) {
        String task = stratum.get(0).record().task();
        if (RecordResult.LETTER_TASKS.contains(task)) {
            double chance = stratum.stream()
                    .mapToDouble(r -> chance(r.record()))
                    .average()
                    .orElse(0);
            String metric = "letter correct " + count(stratum, RecordResult::letterCorrect) + ", chance "
                    + percent(chance) + "; answered A/B/C/D " + letterCounts(stratum);
            return "multi_image".equals(task) ? metric + "; " + byImageLayout(stratum) : metric;
        }
        if ("write".equals(task)) {
            return "well-formed " + count(stratum, RecordResult::wellFormed);
        }
        if ("caption".equals(task)) {
            CaptionScore score =
                    stratum.stream().map(RecordResult::caption).reduce(CaptionScore.NONE, CaptionScore::plus);
            return "attribute accuracy " + ratio(score.correct(), score.objects()) + " (objects)";
        }
        return "";
    }

    /**
     * Multi-image questions come in two layouts that the model learns very differently: letters interleaved with the
     * images ("A.&lt;image&gt; B.&lt;image&gt; …") and all images first ("The images are A, B, C and D in order. …").
     */
    private static String byImageLayout(List<RecordResult> stratum) {
        Map<Boolean, List<RecordResult>> interleaved = stratum.stream()
                .collect(Collectors.partitioningBy(
                        r -> LETTERED_IMAGE.matcher(r.record().prompt()).find()));
        return "interleaved " + count(interleaved.get(true), RecordResult::letterCorrect) + ", images first "
                + count(interleaved.get(false), RecordResult::letterCorrect);
    }

    /** How often each letter was answered: a model that always says "A" is at chance too, but differently. */
    private static String letterCounts(List<RecordResult> stratum) {
        return String.join(
                "/",
                "ABCD"
                        .chars()
                        .mapToObj(letter -> String.valueOf(stratum.stream()
                                .filter(r -> RecordScorer.answerLetter(RecordScorer.normalised(
                                                r.record(), r.generation().text()))
                                        .equals(String.valueOf((char) letter)))
                                .count()))
                        .toList());
    }

    private static double chance(HeldOutRecord record) {
        // select shows four candidates after the context images; multi_image asks about all of its images;
        // option_lookup lists 2-4 text options, one per line.
        return switch (record.task()) {
            case "multi_image" -> 1.0 / record.images().size();
            case "option_lookup" ->
                1.0 / OPTION_LINE.matcher(record.prompt()).results().count();
            default -> 0.25;
        };
    }

    private static void appendCaptions(StringBuilder md, EvaluationResult result) {
        md.append("### Caption attribute accuracy\n\n");
        md.append("Generated captions are parsed per language with the generator's phrasing; each ground-truth "
                + "object is matched to the stated object at its position. \"all four\" = colour, shape, size and "
                + "position all right; a missing or misplaced object is wrong on every attribute. \"stated\" is how many "
                + "objects the captions name in total.\n\n");
        md.append("| lang | truth objects | all four | colour | shape | size | position | stated |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String lang : List.of("en", "zh")) {
            CaptionScore s = result.captionScore(lang);
            md.append("| ")
                    .append(lang)
                    .append(" | ")
                    .append(s.objects())
                    .append(" | ")
                    .append(ratio(s.correct(), s.objects()))
                    .append(" | ")
                    .append(ratio(s.colour(), s.objects()))
                    .append(" | ")
                    .append(ratio(s.shape(), s.objects()))
                    .append(" | ")
                    .append(ratio(s.size(), s.objects()))
                    .append(" | ")
                    .append(ratio(s.position(), s.objects()))
                    .append(" | ")
                    .append(s.stated())
                    .append(" |\n");
        }
        md.append("\n");
    }

    private static void appendRetrieval(StringBuilder md, EvaluationResult result) {
        md.append("### Text → image retrieval (image_embedder / text_embedder)\n\n");
        md.append("A hit is the caption's own image or any gallery image with an identical caption.\n\n");
        md.append("| query lang | queries | gallery | recall@1 | recall@5 |\n|---|---:|---:|---:|---:|\n");
        for (RetrievalResult r : result.retrieval()) {
            md.append("| ")
                    .append(r.lang())
                    .append(" | ")
                    .append(r.queries())
                    .append(" | ")
                    .append(r.galleryImages())
                    .append(" | ")
                    .append(ratio(r.hitsAt1(), r.queries()))
                    .append(" | ")
                    .append(ratio(r.hitsAt5(), r.queries()))
                    .append(" |\n");
        }
        RetrievalResult any = result.retrieval().get(0);
        md.append("\nImage → image self-retrieval (each gallery image as the query, itself ranked first): ")
                .append(ratio(any.selfAt1(), any.galleryImages()))
                .append(".\n\n");
    }

    private static void appendOutOfDomain(StringBuilder md, EvaluationResult result) {
        md.append("### Out-of-domain inputs\n\n");
        md.append("Each must end in a well-formed answer (finish `stop`/`length`, valid UTF-8, no leaked stop string, "
                        + "within the context) or the client's clean `ContextLengthExceededException`; every call runs under "
                        + "a ")
                .append(result.plan().callTimeout().toSeconds())
                .append(" s timeout.\n\n");
        md.append("| check | expected | outcome | pass |\n|---|---|---|---|\n");
        for (OutOfDomainResult r : result.outOfDomain()) {
            md.append("| ")
                    .append(r.check())
                    .append(" | ")
                    .append(r.expected())
                    .append(" | ")
                    .append(r.outcome())
                    .append(" | ")
                    .append(r.passed() ? "yes" : "**no**")
                    .append(" |\n");
        }
    }

    private static String count(List<RecordResult> stratum, Predicate<RecordResult> correct) {
        return ratio((int) stratum.stream().filter(correct).count(), stratum.size());
    }

    private static String ratio(int hits, int total) {
        return total == 0 ? "–" : percent((double) hits / total) + " (" + hits + "/" + total + ")";
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * value);
    }

    private static String minutes(EvaluationResult result) {
        long seconds = result.elapsed().toSeconds();
        return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }
}
