package io.xcomposer.evaluation.benchmark;

import java.util.List;

/**
 * One request the harness sends: an item, with its options rotated {@code rotation} places for circular
 * evaluation (option i shows the item's option i + rotation).
 *
 * @param key unique per request: the item id, plus {@code #rotation} for rotated MMBench passes
 * @param expected the answer for this rotation
 */
public record BenchmarkQuery(String key, BenchmarkItem item, int rotation, List<String> options, String expected) {

    public BenchmarkQuery {
        options = List.copyOf(options);
    }

    public static BenchmarkQuery plain(BenchmarkItem item) {
        return new BenchmarkQuery(item.id(), item, 0, item.options(), item.answer());
    }

    /** Every rotation of a lettered item (as many as it has options), the circular evaluation's passes. */
    public static List<BenchmarkQuery> rotations(BenchmarkItem item) {
        int n = item.options().size();
        int correct = AnswerExtractor.LETTERS.indexOf(item.answer());
        if (n < 2 || correct < 0 || correct >= n) {
            throw new IllegalArgumentException(
                    "item " + item.id() + ": answer '" + item.answer() + "' is not one of its " + n + " options");
        }
        return java.util.stream.IntStream.range(0, n)
                .mapToObj(r -> new BenchmarkQuery(
                        item.id() + "#" + r,
                        item,
                        r,
                        java.util.stream.IntStream.range(0, n)
                                .mapToObj(i -> item.options().get((i + r) % n))
                                .toList(),
                        String.valueOf(AnswerExtractor.LETTERS.charAt((correct - r + n) % n))))
                .toList();
    }
}
