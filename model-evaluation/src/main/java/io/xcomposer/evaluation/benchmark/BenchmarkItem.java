package io.xcomposer.evaluation.benchmark;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One question as a benchmark file states it.
 *
 * @param id unique within the file
 * @param group the unit of the official metric: the MMBench question whose rotations must all be right, the MME
 *     image whose questions must all be right (acc+); the id itself elsewhere
 * @param options option texts in file order (A, B, ...); empty for yes/no and open questions
 * @param answer an option letter, {@code Yes}/{@code No}, or the expected text or pattern
 * @param imageUrls {@code data:} URLs, in the order they go into the message (before the text)
 * @param rotated true when the file already holds the circular copies of this question (MMBench index ≥ 10⁶)
 */
public record BenchmarkItem(
        String id,
        String group,
        String category,
        String l2Category,
        String question,
        String hint,
        List<String> options,
        String answer,
        List<String> imageUrls,
        @Nullable String system,
        MatchRule match,
        boolean rotated) {

    public BenchmarkItem {
        options = List.copyOf(options);
        imageUrls = List.copyOf(imageUrls);
    }
}
