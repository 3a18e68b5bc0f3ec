package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.retrieval.catalog.IndexEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Benchmark harness (run on request, tag {@code benchmark}; it asserts only that it measured something): the service's
 * {@link LuceneVectorIndex} in several settings against exact search and against faiss and hnswlib HNSW with the same
 * M / efConstruction / ef on the same vectors, all in one run. Recall@10 vs exact, single-query p50/p99, ingest rate
 * end to end through {@link LuceneVectorIndex#rebuild} (batched, parallel, force-merged, committed), segments, index
 * heap and file sizes. Parameters ({@code -Dbench.*}): {@code dataset} = clustered (default) | uniform | file (vectors
 * from {@code bench.file}, e.g. the tiny image embedder's), {@code size}, {@code dim}, {@code queries},
 * {@code quantizations} (comma list of {@link VectorQuantization}), {@code candidates}, {@code peers}
 * (true/false), {@code opensearch} (true/false, default false: {@link OpenSearchVectorIndex} on a real node). The
 * peers get the same vectors, queries and exact top-k through {@link PeerVectorFiles}. The run closes with one table
 * of every engine beside exact search (recall vs exact, p50 speed-up vs exact's p50 in the same run);
 * it is printed and written to {@code target/benchmark.txt}.
 */
@Tag("benchmark")
class VectorIndexBenchmarkTests {

    private static final int K = 10;

    private static final int M = IndexProperties.defaults().maxConnections();

    private static final int EF_CONSTRUCTION = IndexProperties.defaults().beamWidth();

    private final StringBuilder report = new StringBuilder();

    /** Search rows of the closing table: every engine of this run beside exact search. */
    private final List<String> searchRows = new ArrayList<>();

    /** Build rows of the closing table. */
    private final List<String> buildRows = new ArrayList<>();

    /** Exact search's p50 in this run: the baseline of the table's speed-up column. */
    private double exactP50;

    @Test
    void luceneAgainstExactSearchAndPeers() throws Exception {
        int size = Integer.getInteger("bench.size", 100_000);
        int dim = Integer.getInteger("bench.dim", 512);
        int queries = Integer.getInteger("bench.queries", 200);
        String dataset = System.getProperty("bench.dataset", "clustered");
        int[] candidates = Arrays.stream(System.getProperty("bench.candidates", "10,20,50,100,200")
                        .split(","))
                .mapToInt(Integer::parseInt)
                .toArray();
        List<VectorQuantization> quantizations = Arrays.stream(
                        System.getProperty("bench.quantizations", "none,int8,int4,bbq")
                                .split(","))
                .map(name -> VectorQuantization.valueOf(name.trim().toUpperCase(Locale.ROOT)))
                .toList();

        long start = System.nanoTime();
        float[][][] sets = dataset(dataset, size, dim, queries);
        float[][] data = sets[0];
        float[][] queryVectors = sets[1];
        dim = data[0].length;
        print(
                "dataset=%s vectors=%d dim=%d queries=%d k=%d cores=%d maxHeap=%dMiB java=%s (generated in %.1f s)%n",
                dataset,
                data.length,
                dim,
                queryVectors.length,
                K,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                Runtime.version(),
                seconds(start));

        start = System.nanoTime();
        int[][] truth = ExactSearch.topK(data, queryVectors, K);
        print("exact top-%d for all queries: %.1f s (all cores)%n", K, seconds(start));
        print("%s", exactLatency(data, queryVectors));

        for (VectorQuantization quantization : quantizations) {
            runLucene(data, queryVectors, truth, quantization, candidates);
        }
        if (Boolean.parseBoolean(System.getProperty("bench.peers", "true"))) {
            runPeers(data, queryVectors, truth, candidates);
        }
        if (Boolean.parseBoolean(System.getProperty("bench.opensearch", "false"))) {
            runOpenSearch(data, queryVectors, truth, candidates);
        }
        printTable();
        Files.writeString(Path.of("target/benchmark.txt"), this.report);
        assertThat(truth).hasNumberOfRows(queryVectors.length);
    }

    private void runLucene(
            float[][] data, float[][] queries, int[][] truth, VectorQuantization quantization, int[] candidates)
            throws IOException {
        Path dir = Files.createTempDirectory(Path.of("target"), "bench-index");
        long heapBefore = usedHeapAfterGc();
        IndexProperties settings = IndexProperties.defaults().with(quantization, true);
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir, 100, settings)) {
            long start = System.nanoTime();
            index.rebuild(
                    IntStream.range(0, data.length)
                            .mapToObj(i -> new IndexEntry("v" + i, data[i], List.of()))
                            .iterator(),
                    new Checkpoint("bench", 1));
            double ingest = seconds(start);
            assertThat(index.size()).isEqualTo(data.length);
            print(
                    "%nLucene HNSW %s (M=%d, beam=%d, ingest threads=%d, merge workers=%d): ingest %.1f s = %.0f"
                            + " vectors/s (rebuild: batches + force-merge + commit), segments=%d%n",
                    quantization,
                    M,
                    EF_CONSTRUCTION,
                    settings.effectiveIngestThreads(),
                    settings.effectiveMergeWorkers(),
                    ingest,
                    data.length / ingest,
                    segmentCount(dir));
            for (int q = 0; q < Math.min(50, queries.length); q++) {
                index.search(queries[q], K, SearchFilter.NONE, 100, true); // warm-up
            }
            for (int breadth : candidates) {
                searchRow(index, queries, truth, breadth, true, quantization);
                if (quantization != VectorQuantization.NONE) {
                    searchRow(index, queries, truth, breadth, false, quantization);
                }
            }
            print(
                    "memory: index heap after GC %d MiB; files: raw floats (.vec) %d MiB, quantized (.veq) %d MiB,"
                            + " graph (.vex) %d MiB, all %d MiB; process %s%n",
                    (usedHeapAfterGc() - heapBefore) >> 20,
                    filesEnding(dir, ".vec") >> 20,
                    filesEnding(dir, ".veq") >> 20,
                    filesEnding(dir, ".vex") >> 20,
                    filesEnding(dir, "") >> 20,
                    residentSet());
            this.buildRows.add(String.format(
                    Locale.ROOT,
                    "| Lucene %s | %.1f s = %.0f vectors/s | heap +%d MiB; files %d MiB (searched: .veq %d + .vex %d MiB) |%n",
                    quantization,
                    ingest,
                    data.length / ingest,
                    (usedHeapAfterGc() - heapBefore) >> 20,
                    filesEnding(dir, "") >> 20,
                    filesEnding(dir, ".veq") >> 20,
                    filesEnding(dir, ".vex") >> 20));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted((a, b) -> b.compareTo(a))
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    private void searchRow(
            LuceneVectorIndex index,
            float[][] queries,
            int[][] truth,
            int breadth,
            boolean rescore,
            VectorQuantization quantization) {
        long[] nanos = new long[queries.length];
        List<List<IndexHit>> found = new ArrayList<>();
        for (int q = 0; q < queries.length; q++) {
            long start = System.nanoTime();
            found.add(index.search(queries[q], K, SearchFilter.NONE, breadth, rescore));
            nanos[q] = System.nanoTime() - start;
        }
        print(
                "%s",
                searchRow(
                        "Lucene " + quantization
                                + (quantization == VectorQuantization.NONE
                                        ? ""
                                        : rescore ? " + rescore" : " (no rescore)"),
                        breadth,
                        ExactSearch.recall(truth, found),
                        percentile(nanos, 50),
                        percentile(nanos, 99)));
    }

    private void runPeers(float[][] data, float[][] queries, int[][] truth, int[] candidates) throws Exception {
        Path dir = Path.of("target/bench-vectors");
        int threads = Runtime.getRuntime().availableProcessors();
        PeerVectorFiles.write(
                dir, data, queries, truth, new PeerVectorFiles.Settings(K, M, EF_CONSTRUCTION, candidates, threads));
        Process process = new ProcessBuilder("/usr/bin/python3", "benchmark/hnsw_peers.py", dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(2, TimeUnit.HOURS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        JsonNode result = JsonMapper.builder().build().readTree(output);
        for (JsonNode peer : result.get("peers")) {
            String name = peer.get("name").asString();
            print(
                    "%n%s (M=%d, efConstruction=%d, %d build threads, numpy %s): build %.1f s = %.0f vectors/s,"
                            + " index %.0f MiB%n",
                    name,
                    M,
                    EF_CONSTRUCTION,
                    threads,
                    result.get("numpy").asString(),
                    peer.get("build_s").asDouble(),
                    peer.get("build_rate").asDouble(),
                    peer.get("memory_mib").asDouble());
            this.buildRows.add(String.format(
                    Locale.ROOT,
                    "| %s | %.1f s = %.0f vectors/s | index %.0f MiB in RAM (serialized size) |%n",
                    name,
                    peer.get("build_s").asDouble(),
                    peer.get("build_rate").asDouble(),
                    peer.get("memory_mib").asDouble()));
            for (JsonNode row : peer.get("searches")) {
                print(
                        "%s",
                        searchRow(
                                name,
                                row.get("ef").asInt(),
                                row.get("recall").asDouble(),
                                row.get("p50_ms").asDouble(),
                                row.get("p99_ms").asDouble()));
            }
        }
    }

    /**
     * {@link OpenSearchVectorIndex} on a real single-node OpenSearch 2.19 (k-NN plugin, Lucene engine, float vectors,
     * one shard, no replica) in a child JVM with a 512 MiB heap, fed through {@code rebuild} (bulk of 512, force-merge,
     * refresh): its HTTP + JSON round trip is part of every query, as it is for the service.
     */
    private void runOpenSearch(float[][] data, float[][] queries, int[][] truth, int[] candidates) throws Exception {
        try (OpenSearchTestCluster cluster = OpenSearchTestCluster.start()) {
            OpenSearchProperties properties =
                    new OpenSearchProperties(List.of(cluster.uri()), "bench", 1, 0, null, null);
            try (OpenSearchVectorIndex index = OpenSearchVectorIndex.open(
                    IndexConfiguration.restClient(properties), properties, IndexProperties.defaults(), 100)) {
                long start = System.nanoTime();
                index.rebuild(
                        IntStream.range(0, data.length)
                                .mapToObj(i -> new IndexEntry("v" + i, data[i], List.of()))
                                .iterator(),
                        new Checkpoint("bench", 1));
                double ingest = seconds(start);
                print(
                        "%nOpenSearch k-NN (Lucene engine, M=%d, efConstruction=%d): ingest %.1f s = %.0f vectors/s%n",
                        M, EF_CONSTRUCTION, ingest, data.length / ingest);
                this.buildRows.add(String.format(
                        Locale.ROOT,
                        "| OpenSearch 2.19.1 k-NN (Lucene engine) | %.1f s = %.0f vectors/s | node heap 512 MiB |%n",
                        ingest,
                        data.length / ingest));
                for (int q = 0; q < Math.min(50, queries.length); q++) {
                    index.search(queries[q], K, SearchFilter.NONE, 100); // warm-up
                }
                for (int breadth : candidates) {
                    long[] nanos = new long[queries.length];
                    List<List<IndexHit>> found = new ArrayList<>();
                    for (int q = 0; q < queries.length; q++) {
                        long begin = System.nanoTime();
                        found.add(index.search(queries[q], K, SearchFilter.NONE, breadth));
                        nanos[q] = System.nanoTime() - begin;
                    }
                    print(
                            "%s",
                            searchRow(
                                    "OpenSearch 2.19.1 k-NN (Lucene engine, HTTP)",
                                    breadth,
                                    ExactSearch.recall(truth, found),
                                    percentile(nanos, 50),
                                    percentile(nanos, 99)));
                }
            }
        }
    }

    /** The whole run in one table: every engine, ratios against exact search measured in this run. */
    private void printTable() {
        print("%n| index | ef | recall@10 vs exact | p50 | p99 | p50 speed-up vs exact |%n|---|---|---|---|---|---|%n");
        this.searchRows.forEach(row -> print("%s", row));
        print("%n| index | build (end to end) | memory |%n|---|---|---|%n");
        this.buildRows.forEach(row -> print("%s", row));
    }

    private static float[][][] dataset(String dataset, int size, int dim, int queries) throws IOException {
        return switch (dataset) {
            case "clustered" -> {
                ClusteredVectors vectors = ClusteredVectors.embeddingLike(42, dim);
                yield new float[][][] {vectors.generate(0, size), vectors.generate(1L << 40, queries)};
            }
            case "uniform" -> new float[][][] {uniform(1, size, dim), uniform(2, queries, dim)};
            case "file" -> {
                float[][] all = readFloats(Path.of(System.getProperty("bench.file")), dim);
                // The file's last `queries` rows are held out as queries.
                int indexed = Math.min(size, all.length - queries);
                yield new float[][][] {
                    Arrays.copyOfRange(all, 0, indexed), Arrays.copyOfRange(all, all.length - queries, all.length)
                };
            }
            default -> throw new IllegalArgumentException("bench.dataset: clustered, uniform or file");
        };
    }

    private static float[][] uniform(long seed, int count, int dim) {
        float[][] out = new float[count][];
        IntStream.range(0, count).parallel().forEach(i -> {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + i);
            float[] vector = new float[dim];
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                vector[d] = (float) random.nextGaussian();
                norm += vector[d] * vector[d];
            }
            for (int d = 0; d < dim; d++) {
                vector[d] /= (float) Math.sqrt(norm);
            }
            out[i] = vector;
        });
        return out;
    }

    private String exactLatency(float[][] data, float[][] queries) {
        int measured = Math.min(queries.length, 50);
        long[] nanos = new long[measured];
        for (int q = 0; q < measured; q++) {
            long start = System.nanoTime();
            ExactSearch.topK(data, queries[q], K);
            nanos[q] = System.nanoTime() - start;
        }
        this.exactP50 = percentile(nanos, 50);
        return searchRow("exact (brute force, one thread)", "all", 1.0, this.exactP50, percentile(nanos, 99));
    }

    /** One row of the search table, printed now and kept for the closing table. */
    private String searchRow(String engine, Object ef, double recall, double p50, double p99) {
        String row = String.format(
                Locale.ROOT,
                "| %s | %s | %.4f | %.2f ms | %.2f ms | %.1f× |%n",
                engine,
                ef,
                recall,
                p50,
                p99,
                this.exactP50 / p50);
        this.searchRows.add(row);
        return row;
    }

    private static float[][] readFloats(Path file, int dim) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[][] rows = new float[bytes.remaining() / (dim * 4)][dim];
        for (float[] row : rows) {
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + dim * 4);
        }
        return rows;
    }

    private void print(String format, Object... args) {
        String line = String.format(Locale.ROOT, format, args);
        System.out.print(line);
        this.report.append(line);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double percentile(long[] nanos, int percentile) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static String residentSet() throws IOException {
        // RssFile counts the mapped index pages resident now; RssAnon includes the harness's own vectors.
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("VmRSS") || line.startsWith("RssAnon") || line.startsWith("RssFile"))
                .map(line -> line.replaceAll("\\s+", " "))
                .reduce((a, b) -> a + ", " + b)
                .orElse("");
    }

    private static int segmentCount(Path dir) throws IOException {
        try (var directory = new MMapDirectory(dir);
                var reader = DirectoryReader.open(directory)) {
            return reader.leaves().size();
        }
    }

    private static long filesEnding(Path dir, String extension) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(file -> file.getFileName().toString().endsWith(extension))
                    .mapToLong(file -> file.toFile().length())
                    .sum();
        }
    }
}
