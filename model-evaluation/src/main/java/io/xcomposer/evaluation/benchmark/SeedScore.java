package io.xcomposer.evaluation.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** SEED-Bench: accuracy over all image questions, and per evaluation dimension. */
public record SeedScore(Tally overall, Map<String, Tally> byDimension, int unparsed, int failed) implements Score {

    public static SeedScore of(List<ItemResult> results) {
        Tally overall = Tally.ZERO;
        Map<String, Tally> byDimension = new TreeMap<>();
        for (ItemResult r : results) {
            overall = overall.plus(r.correct());
            byDimension.merge(r.category(), Tally.ZERO.plus(r.correct()), Tally::plus);
        }
        return new SeedScore(
                overall,
                byDimension,
                Score.count(results, ItemResult::unparsed),
                Score.count(results, ItemResult::failed));
    }

    @Override
    public Map<String, String> headline() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("accuracy (all image questions)", overall.format());
        h.put("unparsed answers", String.valueOf(unparsed));
        h.put("failed requests", String.valueOf(failed));
        return h;
    }

    @Override
    public List<ReportTable> tables() {
        List<List<String>> rows = new ArrayList<>();
        byDimension.forEach((name, t) -> rows.add(List.of(name, String.valueOf(t.total()), t.format())));
        return List.of(new ReportTable("Accuracy per dimension", List.of("dimension", "questions", "accuracy"), rows));
    }

    @Override
    public Map<String, Double> chart() {
        Map<String, Double> bars = new LinkedHashMap<>();
        byDimension.forEach((name, t) -> bars.put(name, t.percent()));
        return bars;
    }

    @Override
    public double chartMax() {
        return 100;
    }

    @Override
    public String chartTitle() {
        return "SEED-Bench accuracy per dimension (%)";
    }
}
