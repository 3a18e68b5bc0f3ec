package io.xcomposer.evaluation;

import java.time.Duration;

/**
 * What to evaluate and how.
 *
 * @param perStratum held-out records per task × language, drawn with {@code seed}; 0 = all
 * @param retrievalQueries gallery images whose captions (both languages) are queries, drawn with {@code seed};
 * 0 = all. The whole gallery is always searched.
 * @param concurrency records evaluated at once (the server decodes one sequence per generation thread)
 * @param maxTokens completion limit per generation
 * @param callTimeout bound on every single call, so nothing can hang the run
 */
public record EvaluationPlan(
        int perStratum, int retrievalQueries, long seed, int concurrency, int maxTokens, Duration callTimeout) {

    public static EvaluationPlan full() {
        return new EvaluationPlan(0, 0, 7, 2, 300, Duration.ofSeconds(120));
    }

    public String describe() {
        return (perStratum == 0
                        ? "all held-out records"
                        : perStratum + " held-out records per task × language (seed " + seed + ")")
                + "; "
                + (retrievalQueries == 0
                        ? "all gallery captions"
                        : retrievalQueries + " gallery images' captions per language (seed " + seed + ")")
                + " as retrieval queries";
    }
}
