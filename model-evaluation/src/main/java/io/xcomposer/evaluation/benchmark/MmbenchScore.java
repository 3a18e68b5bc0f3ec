package io.xcomposer.evaluation.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * MMBench's circular evaluation: a question counts only when every rotation of its options was answered right.
 * {@code vanilla} is the single pass over the options as the file orders them, for comparison.
 *
 * @param unparsed requests whose answer could not be read (wrong in both metrics)
 * @param failed requests that got no answer from the server (wrong in both metrics)
 */
public record MmbenchScore(
        Tally circular,
        Tally vanilla,
        int requests,
        int unparsed,
        int failed,
        Map<String, Tally> byCategory,
        Map<String, Tally> byL2Category)
        implements Score {

    public static MmbenchScore of(List<ItemResult> results) {
        Map<String, List<ItemResult>> groups = new LinkedHashMap<>();
        results.forEach(
                r -> groups.computeIfAbsent(r.group(), g -> new ArrayList<>()).add(r));
        Tally circular = Tally.ZERO;
        Map<String, Tally> byCategory = new TreeMap<>();
        Map<String, Tally> byL2 = new TreeMap<>();
        for (List<ItemResult> passes : groups.values()) {
            boolean right = passes.stream().allMatch(ItemResult::correct);
            circular = circular.plus(right);
            byCategory.merge(passes.get(0).category(), Tally.ZERO.plus(right), Tally::plus);
            byL2.merge(passes.get(0).l2Category(), Tally.ZERO.plus(right), Tally::plus);
        }
        Tally vanilla = Tally.ZERO;
        for (ItemResult r : results) {
            if (r.rotation() == 0 && r.itemId().equals(r.group())) {
                vanilla = vanilla.plus(r.correct());
            }
        }
        return new MmbenchScore(
                circular,
                vanilla,
                results.size(),
                Score.count(results, ItemResult::unparsed),
                Score.count(results, ItemResult::failed),
                byCategory,
                byL2);
    }

    @Override
    public Map<String, String> headline() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("circular accuracy (all rotations right)", circular.format());
        h.put("vanilla accuracy (file order only)", vanilla.format());
        h.put("requests", String.valueOf(requests));
        h.put("unparsed answers", String.valueOf(unparsed));
        h.put("failed requests", String.valueOf(failed));
        return h;
    }

    @Override
    public List<ReportTable> tables() {
        return List.of(
                table("Circular accuracy per category", byCategory),
                table("Circular accuracy per l2-category", byL2Category));
    }

    private static ReportTable table(String title, Map<String, Tally> tallies) {
        List<List<String>> rows = new ArrayList<>();
        tallies.forEach((name, t) -> rows.add(List.of(name, String.valueOf(t.total()), t.format())));
        return new ReportTable(title, List.of("category", "questions", "circular accuracy"), rows);
    }

    @Override
    public Map<String, Double> chart() {
        Map<String, Double> bars = new LinkedHashMap<>();
        byCategory.forEach((name, t) -> bars.put(name, t.percent()));
        return bars;
    }

    @Override
    public double chartMax() {
        return 100;
    }

    @Override
    public String chartTitle() {
        return "Circular accuracy per category (%)";
    }
}
