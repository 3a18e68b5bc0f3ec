package io.xcomposer.retrieval.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files through which the benchmark hands its exact vectors, queries and exact top-k to the HNSW peers
 * ({@code benchmark/hnsw_peers.py}): {@code base.fvecs}, {@code queries.fvecs}, {@code truth.ivecs} in the TEXMEX
 * layout that ANN tools read (per row: little-endian int32 dimension, then that many float32 or int32 values), and
 * {@code meta.json} with the index settings the peers must copy. So every engine searches the same bytes and is scored
 * against the same ground truth.
 */
final class PeerVectorFiles {

    static final String BASE = "base.fvecs";

    static final String QUERIES = "queries.fvecs";

    static final String TRUTH = "truth.ivecs";

    static final String META = "meta.json";

    private PeerVectorFiles() {}

    /**
     * What the peers copy from the Lucene run: k, HNSW M and efConstruction, the ef values to measure, the threads to
     * build with (searches run on one thread).
     */
    record Settings(int k, int m, int efConstruction, int[] efs, int buildThreads) {}

    static void write(Path dir, float[][] base, float[][] queries, int[][] truth, Settings settings)
            throws IOException {
        Files.createDirectories(dir);
        writeFvecs(dir.resolve(BASE), base);
        writeFvecs(dir.resolve(QUERIES), queries);
        writeIvecs(dir.resolve(TRUTH), truth);
        var meta = new LinkedHashMap<String, Object>();
        meta.put("size", base.length);
        meta.put("queries", queries.length);
        meta.put("dim", base[0].length);
        meta.put("k", settings.k());
        meta.put("m", settings.m());
        meta.put("ef_construction", settings.efConstruction());
        meta.put("efs", settings.efs());
        meta.put("build_threads", settings.buildThreads());
        Files.writeString(dir.resolve(META), JsonMapper.builder().build().writeValueAsString(meta));
    }

    static void writeFvecs(Path file, float[][] rows) throws IOException {
        try (FileChannel out = create(file)) {
            ByteBuffer buffer = buffer(rows[0].length);
            for (float[] row : rows) {
                if (buffer.remaining() < 4 + row.length * 4) {
                    out.write(buffer.flip());
                    buffer.clear();
                }
                buffer.putInt(row.length);
                for (float value : row) {
                    buffer.putFloat(value);
                }
            }
            out.write(buffer.flip());
        }
    }

    static void writeIvecs(Path file, int[][] rows) throws IOException {
        try (FileChannel out = create(file)) {
            ByteBuffer buffer = buffer(rows[0].length);
            for (int[] row : rows) {
                if (buffer.remaining() < 4 + row.length * 4) {
                    out.write(buffer.flip());
                    buffer.clear();
                }
                buffer.putInt(row.length);
                for (int value : row) {
                    buffer.putInt(value);
                }
            }
            out.write(buffer.flip());
        }
    }

    static float[][] readFvecs(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> rows = new ArrayList<>();
        while (bytes.hasRemaining()) {
            float[] row = new float[bytes.getInt()];
            bytes.asFloatBuffer().get(row);
            bytes.position(bytes.position() + row.length * 4);
            rows.add(row);
        }
        return rows.toArray(float[][]::new);
    }

    static int[][] readIvecs(Path file) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<int[]> rows = new ArrayList<>();
        while (bytes.hasRemaining()) {
            int[] row = new int[bytes.getInt()];
            bytes.asIntBuffer().get(row);
            bytes.position(bytes.position() + row.length * 4);
            rows.add(row);
        }
        return rows.toArray(int[][]::new);
    }

    private static FileChannel create(Path file) throws IOException {
        return FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static ByteBuffer buffer(int dim) {
        // Room for at least one row; about 1 MiB otherwise.
        return ByteBuffer.allocate(Math.max(1 << 20, 4 + dim * 4)).order(ByteOrder.LITTLE_ENDIAN);
    }
}
