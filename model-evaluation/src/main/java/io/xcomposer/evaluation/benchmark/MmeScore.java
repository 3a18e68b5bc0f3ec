package io.xcomposer.evaluation.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * MME's score: per subtask, acc (questions right, %) plus acc+ (images with every question right, %), at most 200;
 * perception is the sum over MME's ten perception subtasks, cognition over its four cognition subtasks. A subtask
 * MME does not define is listed as {@code unassigned} and is in neither sum.
 */
public record MmeScore(
        double perception, double cognition, double total, List<Subtask> subtasks, int unparsed, int failed)
        implements Score {

    public static final String PERCEPTION = "perception";

    public static final String COGNITION = "cognition";

    public static final String UNASSIGNED = "unassigned";

    private static final Set<String> PERCEPTION_SUBTASKS = Set.of(
            "existence", "count", "position", "color", "posters", "celebrity", "scene", "landmark", "artwork", "ocr");

    private static final Set<String> COGNITION_SUBTASKS =
            Set.of("commonsense_reasoning", "numerical_calculation", "text_translation", "code_reasoning");

    /** One subtask: acc and acc+ in percent, score = acc + acc+. */
    public record Subtask(
            String name, String family, Tally questions, Tally images, double acc, double accPlus, double score) {}

    /** {@code perception}, {@code cognition} or {@code unassigned}, as MME assigns its subtasks. */
    public static String family(String subtask) {
        String key = subtask.strip().toLowerCase(Locale.ROOT).replace(' ', '_');
        if (PERCEPTION_SUBTASKS.contains(key)) {
            return PERCEPTION;
        }
        return COGNITION_SUBTASKS.contains(key) ? COGNITION : UNASSIGNED;
    }

    public static MmeScore of(List<ItemResult> results) {
        Map<String, Tally> questions = new TreeMap<>();
        Map<String, Map<String, Boolean>> images = new TreeMap<>();
        for (ItemResult r : results) {
            questions.merge(r.category(), Tally.ZERO.plus(r.correct()), Tally::plus);
            images.computeIfAbsent(r.category(), c -> new LinkedHashMap<>())
                    .merge(r.group(), r.correct(), Boolean::logicalAnd);
        }
        List<Subtask> subtasks = new ArrayList<>();
        double perception = 0;
        double cognition = 0;
        for (Map.Entry<String, Tally> e : questions.entrySet()) {
            Tally imageTally = Tally.ZERO;
            for (boolean right : images.get(e.getKey()).values()) {
                imageTally = imageTally.plus(right);
            }
            double acc = e.getValue().percent();
            double accPlus = imageTally.percent();
            String family = family(e.getKey());
            subtasks.add(new Subtask(e.getKey(), family, e.getValue(), imageTally, acc, accPlus, acc + accPlus));
            if (family.equals(PERCEPTION)) {
                perception += acc + accPlus;
            } else if (family.equals(COGNITION)) {
                cognition += acc + accPlus;
            }
        }
        return new MmeScore(
                perception,
                cognition,
                perception + cognition,
                subtasks,
                Score.count(results, ItemResult::unparsed),
                Score.count(results, ItemResult::failed));
    }

    @Override
    public Map<String, String> headline() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("total (perception + cognition)", fmt(total));
        h.put("perception (sum of its subtasks, max " + 200 * count(PERCEPTION) + " here)", fmt(perception));
        h.put("cognition (sum of its subtasks, max " + 200 * count(COGNITION) + " here)", fmt(cognition));
        h.put("unparsed answers", String.valueOf(unparsed));
        h.put("failed requests", String.valueOf(failed));
        return h;
    }

    private long count(String family) {
        return subtasks.stream().filter(s -> s.family().equals(family)).count();
    }

    @Override
    public List<ReportTable> tables() {
        List<List<String>> rows = new ArrayList<>();
        for (Subtask s : subtasks) {
            rows.add(List.of(
                    s.name(),
                    s.family(),
                    String.valueOf(s.questions().total()),
                    String.valueOf(s.images().total()),
                    fmt(s.acc()),
                    fmt(s.accPlus()),
                    fmt(s.score())));
        }
        return List.of(new ReportTable(
                "Subtasks (score = acc + acc+, max 200)",
                List.of("subtask", "family", "questions", "images", "acc", "acc+", "score"),
                rows));
    }

    @Override
    public Map<String, Double> chart() {
        Map<String, Double> bars = new LinkedHashMap<>();
        subtasks.forEach(s -> bars.put(s.name(), s.score()));
        return bars;
    }

    @Override
    public double chartMax() {
        return 200;
    }

    @Override
    public String chartTitle() {
        return "MME score per subtask (acc + acc+, max 200)";
    }

    static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
