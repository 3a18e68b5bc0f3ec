package io.xcomposer.evaluation.benchmark;

import java.util.Locale;

/** The benchmark layouts the harness reads, each with its official metric. */
public enum BenchmarkKind {
    /** MMBench / MMBench-CN / CCBench TSV, lettered choice, circular evaluation. */
    MMBENCH,
    /** MME flattened TSV or JSON, yes/no questions, two per image: acc and acc+ per subtask. */
    MME,
    /** SEED-Bench JSON, four choices, accuracy per evaluation dimension. */
    SEED,
    /** The tiny model's robustness slices (JSONL), scored per slice and language. */
    SLICES;

    /** {@code mmbench}, {@code mmbench-cn} and {@code ccbench} share the MMBench layout and metric. */
    public static BenchmarkKind parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mmbench", "mmbench-en", "mmbench-cn", "ccbench" -> MMBENCH;
            case "mme" -> MME;
            case "seed", "seed-bench", "seedbench" -> SEED;
            case "slices" -> SLICES;
            default ->
                throw new IllegalArgumentException(
                        "unknown benchmark '" + name + "' (mmbench, mmbench-cn, ccbench, mme, seed, slices)");
        };
    }
}
