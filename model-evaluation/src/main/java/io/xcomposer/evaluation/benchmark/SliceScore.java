package io.xcomposer.evaluation.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The robustness slices: accuracy per slice and language (file order), under each slice's own match rule. */
public record SliceScore(Map<String, Tally> bySlice, Map<String, Integer> unparsedBySlice, int failed)
        implements Score {

    public static SliceScore of(List<ItemResult> results) {
        Map<String, Tally> bySlice = new LinkedHashMap<>();
        Map<String, Integer> unparsed = new LinkedHashMap<>();
        for (ItemResult r : results) {
            String key = r.category() + " (" + r.l2Category() + ")";
            bySlice.merge(key, Tally.ZERO.plus(r.correct()), Tally::plus);
            unparsed.merge(key, r.unparsed() ? 1 : 0, Integer::sum);
        }
        return new SliceScore(bySlice, unparsed, Score.count(results, ItemResult::failed));
    }

    @Override
    public Map<String, String> headline() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("slices", String.valueOf(bySlice.size()));
        h.put("failed requests", String.valueOf(failed));
        return h;
    }

    @Override
    public List<ReportTable> tables() {
        List<List<String>> rows = new ArrayList<>();
        bySlice.forEach((name, t) -> rows.add(List.of(
                name, String.valueOf(t.total()), t.format(), String.valueOf(unparsedBySlice.getOrDefault(name, 0)))));
        return List.of(
                new ReportTable("Accuracy per slice (language)", List.of("slice", "n", "accuracy", "unparsed"), rows));
    }

    @Override
    public Map<String, Double> chart() {
        Map<String, Double> bars = new LinkedHashMap<>();
        bySlice.forEach((name, t) -> bars.put(name, t.percent()));
        return bars;
    }

    @Override
    public double chartMax() {
        return 100;
    }

    @Override
    public String chartTitle() {
        return "Accuracy per slice (%)";
    }
}
