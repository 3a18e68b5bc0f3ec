package io.xcomposer.retrieval.index;

import java.util.concurrent.ExecutorService;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene104.Lucene104HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.util.quantization.QuantizedByteVectorValues.ScalarEncoding;
import org.jspecify.annotations.Nullable;

/**
 * How the HNSW graph stores the vectors it navigates by: Lucene 10's optimised scalar quantization
 * ({@link Lucene104HnswScalarQuantizedVectorsFormat}, which replaced the int8/int4 format of Lucene 9.9 and the
 * binary "BBQ" format of Lucene 10.2) or none. Quantized formats keep the float vectors on disk too, for exact
 * rescoring and for re-quantizing on merge; only the quantized copy and the graph are read on the search path.
 */
public enum VectorQuantization {

    /** 32-bit floats: 2 KiB per 512-d vector on the search path. */
    NONE(null),

    /** 8 bits per dimension (512 B per 512-d vector). */
    INT8(ScalarEncoding.UNSIGNED_BYTE),

    /** 7 bits per dimension, stored in a byte; the format's own default. */
    INT7(ScalarEncoding.SEVEN_BIT),

    /** 4 bits per dimension, two per byte (256 B per 512-d vector). */
    INT4(ScalarEncoding.PACKED_NIBBLE),

    /** 2 bits per dimension, queries at 4 bits. */
    INT2(ScalarEncoding.DIBIT_QUERY_NIBBLE),

    /** 1 bit per dimension (64 B per 512-d vector), queries at 4 bits: "better binary quantization". */
    BBQ(ScalarEncoding.SINGLE_BIT_QUERY_NIBBLE);

    private final @Nullable ScalarEncoding encoding;

    VectorQuantization(@Nullable ScalarEncoding encoding) {
        this.encoding = encoding;
    }

    /** Bits per dimension of the copy the graph searches. */
    public int bitsPerDimension() {
        return this.encoding == null ? 32 : this.encoding.getDocBitsPerDim();
    }

    /** The vectors format; {@code mergeExecutor} is required when {@code mergeWorkers} > 1. */
    KnnVectorsFormat format(
            int maxConnections, int beamWidth, int mergeWorkers, @Nullable ExecutorService mergeExecutor) {
        if (this.encoding == null) {
            return new Lucene99HnswVectorsFormat(maxConnections, beamWidth, mergeWorkers, mergeExecutor);
        }
        return new Lucene104HnswScalarQuantizedVectorsFormat(
                this.encoding, maxConnections, beamWidth, mergeWorkers, mergeExecutor);
    }
}
