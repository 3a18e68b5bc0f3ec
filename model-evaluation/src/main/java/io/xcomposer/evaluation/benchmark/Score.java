package io.xcomposer.evaluation.benchmark;

import java.util.List;
import java.util.Map;

/** A benchmark's official metric, computed from the result lines alone. */
public sealed interface Score permits MmbenchScore, MmeScore, SeedScore, SliceScore {

    /** The headline figures, name to formatted value. */
    Map<String, String> headline();

    List<ReportTable> tables();

    /** One bar per category (label to value), drawn against {@link #chartMax()}. */
    Map<String, Double> chart();

    double chartMax();

    String chartTitle();

    static Score of(BenchmarkKind kind, List<ItemResult> results) {
        return switch (kind) {
            case MMBENCH -> MmbenchScore.of(results);
            case MME -> MmeScore.of(results);
            case SEED -> SeedScore.of(results);
            case SLICES -> SliceScore.of(results);
        };
    }

    static int count(List<ItemResult> results, java.util.function.Predicate<ItemResult> which) {
        return (int) results.stream().filter(which).count();
    }
}
