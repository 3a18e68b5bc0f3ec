package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.catalog.IndexEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Lucene HNSW ({@link LuceneVectorIndex}, as served) against exact brute-force search on the same random unit
 * vectors (seeded): recall@10, p50/p99 query latency, ingest rate and heap. Size and dimension are parameters:
 * {@code -Dbench.size=1000000 -Dbench.dim=512 -Dbench.queries=200}. Run on request only (tag {@code benchmark});
 * results are printed and written to {@code target/benchmark.txt}.
 */
@Tag("benchmark")
class VectorIndexBenchmarkTests {

    @Test
    void hnswAgainstBruteForce() throws IOException {
        int size = Integer.getInteger("bench.size", 100_000);
        int dim = Integer.getInteger("bench.dim", 512);
        int queries = Integer.getInteger("bench.queries", 200);
        int k = 10;
        Random random = new Random(42);
        // One flat array: 1M × 512 floats is 2 GiB, the brute-force baseline's working set.
        float[] data = new float[Math.multiplyExact(size, dim)];
        for (int i = 0; i < size; i++) {
            fillUnit(random, data, i * dim, dim);
        }
        float[][] queryVectors = new float[queries][dim];
        for (float[] query : queryVectors) {
            fillUnit(random, query, 0, dim);
        }
        long heapAfterData = usedHeap();

        Path dir = Files.createTempDirectory(Path.of("target"), "bench-index");
        StringBuilder report = new StringBuilder();
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir, 100)) {
            long start = System.nanoTime();
            for (int i = 0; i < size; i++) {
                index.add(new IndexEntry("v" + i, Arrays.copyOfRange(data, i * dim, (i + 1) * dim), List.of()));
            }
            index.commit(new Checkpoint("bench", size));
            index.refresh();
            double ingestSeconds = (System.nanoTime() - start) / 1e9;

            long[] exactNanos = new long[queries];
            List<Set<String>> truths = new ArrayList<>();
            for (int q = 0; q < queries; q++) {
                long t0 = System.nanoTime();
                truths.add(bruteForce(data, dim, size, queryVectors[q], k));
                exactNanos[q] = System.nanoTime() - t0;
            }
            StringBuilder hnsw = new StringBuilder();
            for (int candidates : new int[] {10, 50, 100, 200, 400}) {
                long[] hnswNanos = new long[queries];
                int found = 0;
                for (int q = 0; q < queries; q++) {
                    long t0 = System.nanoTime();
                    List<IndexHit> hits = index.search(queryVectors[q], k, SearchFilter.NONE, candidates);
                    hnswNanos[q] = System.nanoTime() - t0;
                    for (IndexHit hit : hits) {
                        if (truths.get(q).contains(hit.id())) {
                            found++;
                        }
                    }
                }
                hnsw.append(String.format(
                        "HNSW candidates(ef)=%d: recall@10 %.4f, latency p50 %.2f ms p99 %.2f ms%n",
                        candidates,
                        found / (double) (queries * k),
                        percentile(hnswNanos, 50),
                        percentile(hnswNanos, 99)));
            }
            long heapPeak = usedHeap();
            report.append(String.format(
                    "vectors=%d dim=%d queries=%d k=%d cores=%d maxHeap=%dMiB%n",
                    size,
                    dim,
                    queries,
                    k,
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20));
            report.append(String.format(
                    "ingest (add + commit, HNSW M=16 beam=100, one writer thread): %.1f s = %.0f vectors/s; segments=%d%n",
                    ingestSeconds, size / ingestSeconds, segmentCount(dir)));
            report.append(hnsw);
            report.append(String.format(
                    "brute force latency p50 %.2f ms p99 %.2f ms (single thread)%n",
                    percentile(exactNanos, 50), percentile(exactNanos, 99)));
            report.append(String.format(
                    "heap: raw vectors %d MiB, used after data %d MiB, used after index+search %d MiB; "
                            + "index on disk %d MiB%n",
                    (long) size * dim * 4 >> 20, heapAfterData >> 20, heapPeak >> 20, directorySize(dir) >> 20));
        }
        System.out.print(report);
        Files.writeString(Path.of("target/benchmark.txt"), report);
    }

    private static Set<String> bruteForce(float[] data, int dim, int size, float[] query, int k) {
        // Exact top-k by a bounded min-heap over all dot products.
        PriorityQueue<long[]> heap = new PriorityQueue<>(
                (a, b) -> Float.compare(Float.intBitsToFloat((int) a[1]), Float.intBitsToFloat((int) b[1])));
        for (int i = 0; i < size; i++) {
            float dot = 0;
            int offset = i * dim;
            for (int d = 0; d < dim; d++) {
                dot += data[offset + d] * query[d];
            }
            if (heap.size() < k) {
                heap.add(new long[] {i, Float.floatToIntBits(dot)});
            } else if (dot > Float.intBitsToFloat((int) heap.peek()[1])) {
                heap.poll();
                heap.add(new long[] {i, Float.floatToIntBits(dot)});
            }
        }
        Set<String> ids = new HashSet<>();
        heap.forEach(entry -> ids.add("v" + entry[0]));
        return ids;
    }

    private static void fillUnit(Random random, float[] target, int offset, int dim) {
        double norm = 0;
        for (int d = 0; d < dim; d++) {
            float value = (float) random.nextGaussian();
            target[offset + d] = value;
            norm += value * value;
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < dim; d++) {
            target[offset + d] *= scale;
        }
    }

    private static double percentile(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static long usedHeap() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static int segmentCount(Path dir) throws IOException {
        try (var reader = DirectoryReader.open(FSDirectory.open(dir))) {
            return reader.leaves().size();
        }
    }

    private static long directorySize(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(path -> path.toFile().length())
                    .sum();
        }
    }
}
