package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files the benchmark hands to the HNSW peers: written by Java, read back by Java and by the peers' own loader
 * ({@code benchmark/hnsw_peers.py --check}, Debian's python3 with numpy), which must see the same numbers.
 */
class PeerVectorFilesTests {

    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private final float[][] base = random(7, 5, 1);

    private final float[][] queries = random(3, 5, 2);

    private final int[][] truth = {{6, 0}, {3, 4}, {1, 2}};

    private final PeerVectorFiles.Settings settings = new PeerVectorFiles.Settings(2, 16, 100, new int[] {10, 20}, 2);

    @Test
    void javaReadsBackWhatItWrote() throws IOException {
        PeerVectorFiles.write(this.dir, this.base, this.queries, this.truth, this.settings);

        assertThat(PeerVectorFiles.readFvecs(this.dir.resolve(PeerVectorFiles.BASE)))
                .isDeepEqualTo(this.base);
        assertThat(PeerVectorFiles.readFvecs(this.dir.resolve(PeerVectorFiles.QUERIES)))
                .isDeepEqualTo(this.queries);
        assertThat(PeerVectorFiles.readIvecs(this.dir.resolve(PeerVectorFiles.TRUTH)))
                .isDeepEqualTo(this.truth);
        // TEXMEX layout: a 4-byte dimension before each row.
        assertThat(Files.size(this.dir.resolve(PeerVectorFiles.BASE))).isEqualTo(7 * (4 + 5 * 4));
    }

    @Test
    void thePeersLoaderReadsTheSameNumbers() throws Exception {
        assumeTrue(pythonWithNumpy(), PYTHON + " with numpy (python3-numpy) is needed for the peers' loader");
        PeerVectorFiles.write(this.dir, this.base, this.queries, this.truth, this.settings);

        JsonNode read = JsonMapper.builder().build().readTree(check().output());

        assertThat(read.get("base_shape").toString()).isEqualTo("[7,5]");
        assertThat(read.get("queries_shape").toString()).isEqualTo("[3,5]");
        assertThat(floats(read.get("base_first"))).isEqualTo(this.base[0]);
        assertThat(floats(read.get("base_last"))).isEqualTo(this.base[6]);
        double sum = 0;
        for (float[] row : this.queries) {
            for (float value : row) {
                sum += value;
            }
        }
        assertThat(read.get("queries_sum").asDouble()).isCloseTo(sum, within(1e-9));
        assertThat(read.get("truth").toString()).isEqualTo("[[6,0],[3,4],[1,2]]");
        JsonNode meta = read.get("meta");
        assertThat(meta.get("k").asInt()).isEqualTo(2);
        assertThat(meta.get("m").asInt()).isEqualTo(16);
        assertThat(meta.get("ef_construction").asInt()).isEqualTo(100);
        assertThat(meta.get("efs").toString()).isEqualTo("[10,20]");
        assertThat(meta.get("build_threads").asInt()).isEqualTo(2);
    }

    @Test
    void thePeersLoaderRejectsATruncatedFile() throws Exception {
        assumeTrue(pythonWithNumpy(), PYTHON + " with numpy (python3-numpy) is needed for the peers' loader");
        PeerVectorFiles.write(this.dir, this.base, this.queries, this.truth, this.settings);
        Path file = this.dir.resolve(PeerVectorFiles.BASE);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 4));

        Result result = check();

        assertThat(result.exit()).isNotZero();
        assertThat(result.output()).contains("do not split into rows");
    }

    private record Result(int exit, String output) {}

    private Result check() throws Exception {
        Process process = new ProcessBuilder(PYTHON, "benchmark/hnsw_peers.py", "--check", this.dir.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), output);
    }

    private static boolean pythonWithNumpy() throws InterruptedException {
        try {
            Process process = new ProcessBuilder(PYTHON, "-c", "import numpy").start();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    private static float[][] random(int rows, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] out = new float[rows][dim];
        for (float[] row : out) {
            for (int d = 0; d < dim; d++) {
                row[d] = (float) random.nextGaussian();
            }
        }
        return out;
    }
}
