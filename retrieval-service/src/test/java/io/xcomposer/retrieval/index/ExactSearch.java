package io.xcomposer.retrieval.index;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.lucene.util.VectorUtil;

/** Exact top-k by dot product: the ground truth that recall is measured against. */
final class ExactSearch {

    private ExactSearch() {}

    /** Row numbers of the {@code k} largest dot products with {@code query}, best first. */
    static int[] topK(float[][] data, float[] query, int k) {
        int[] best = new int[k];
        float[] bestScores = new float[k];
        Arrays.fill(bestScores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < data.length; i++) {
            float score = VectorUtil.dotProduct(data[i], query);
            if (score > bestScores[k - 1]) {
                int slot = k - 1;
                while (slot > 0 && bestScores[slot - 1] < score) {
                    bestScores[slot] = bestScores[slot - 1];
                    best[slot] = best[slot - 1];
                    slot--;
                }
                bestScores[slot] = score;
                best[slot] = i;
            }
        }
        return best;
    }

    /** {@link #topK} for every query, queries in parallel. */
    static int[][] topK(float[][] data, float[][] queries, int k) {
        return IntStream.range(0, queries.length)
                .parallel()
                .mapToObj(q -> topK(data, queries[q], k))
                .toArray(int[][]::new);
    }

    /** Share of {@code truth} found in {@code found} (ids "v" + row), over all queries. */
    static double recall(int[][] truth, List<List<IndexHit>> found) {
        long hits = 0;
        long total = 0;
        for (int q = 0; q < truth.length; q++) {
            Set<String> expected = new HashSet<>();
            for (int row : truth[q]) {
                expected.add("v" + row);
            }
            total += expected.size();
            hits += found.get(q).stream()
                    .filter(hit -> expected.contains(hit.id()))
                    .count();
        }
        return hits / (double) total;
    }
}
