package io.xcomposer.retrieval.index;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How the Lucene vector index is built and searched ({@code xcomposer.retrieval.index.*}). The defaults come from
 * the measurements in docs/benchmarks.md ("Retrieval at scale"); the search breadth stays
 * {@code xcomposer.retrieval.search-candidates}.
 *
 * @param engine which index serves the gallery: {@code lucene} (on local disk, the rest of these settings) or
 * {@code opensearch} (a k-NN index on a cluster, {@code xcomposer.retrieval.index.opensearch.*}); bound here so that a
 * misspelt value fails the start instead of silently meaning Lucene
 * @param quantization how the HNSW graph stores vectors for navigation; the full-precision vectors are kept beside
 * the quantized ones (for rescoring and merges)
 * @param rescore re-rank the explored candidates by the exact dot product read from the full-precision vectors;
 * without it the order (and the reported score) comes from the quantized vectors
 * @param maxConnections HNSW M: neighbours per node
 * @param beamWidth HNSW efConstruction: candidates examined when inserting a vector
 * @param mergeWorkers threads that build one merged segment's graph together; 0 = one per core
 * @param ingestThreads threads adding documents during a rebuild; 0 = one per core
 * @param ingestBatchSize documents per {@code addDocuments} call during a rebuild
 * @param ramBuffer indexing buffer shared by the writer threads; a larger one flushes fewer, larger segments
 * @param segmentsPerTier TieredMergePolicy's segments per tier; lower = fewer segments, more merging
 * @param bulkMaxSegments after a rebuild, force-merge down to at most this many segments (0 = leave it to the
 * merge policy); each segment has its own graph and is searched separately
 */
@ConfigurationProperties(IndexProperties.PREFIX)
public record IndexProperties(
        @DefaultValue("lucene") Engine engine,
        @DefaultValue("int8") VectorQuantization quantization,
        @DefaultValue("true") boolean rescore,
        @DefaultValue("16") int maxConnections,
        @DefaultValue("100") int beamWidth,
        @DefaultValue("0") int mergeWorkers,
        @DefaultValue("0") int ingestThreads,
        @DefaultValue("512") int ingestBatchSize,
        @DefaultValue("256MB") DataSize ramBuffer,
        @DefaultValue("4") double segmentsPerTier,
        @DefaultValue("1") int bulkMaxSegments) {

    public static final String PREFIX = "xcomposer.retrieval.index";

    public IndexProperties {
        if (maxConnections < 2 || beamWidth < 1 || ingestBatchSize < 1) {
            throw new IllegalArgumentException("max-connections ≥ 2, beam-width ≥ 1, ingest-batch-size ≥ 1");
        }
        if (mergeWorkers < 0 || ingestThreads < 0 || bulkMaxSegments < 0 || segmentsPerTier < 2) {
            throw new IllegalArgumentException("worker counts and bulk-max-segments ≥ 0, segments-per-tier ≥ 2");
        }
    }

    /** The index implementations {@code engine} chooses between. */
    public enum Engine {
        LUCENE,
        OPENSEARCH
    }

    /** The defaults, as bound from an empty configuration. */
    public static IndexProperties defaults() {
        return new IndexProperties(
                Engine.LUCENE, VectorQuantization.INT8, true, 16, 100, 0, 0, 512, DataSize.ofMegabytes(256), 4, 1);
    }

    /** A copy with another quantization and rescoring; the benchmark and tests vary these. */
    public IndexProperties with(VectorQuantization quantization, boolean rescore) {
        return new IndexProperties(
                this.engine,
                quantization,
                rescore,
                this.maxConnections,
                this.beamWidth,
                this.mergeWorkers,
                this.ingestThreads,
                this.ingestBatchSize,
                this.ramBuffer,
                this.segmentsPerTier,
                this.bulkMaxSegments);
    }

    int effectiveMergeWorkers() {
        return this.mergeWorkers == 0 ? Runtime.getRuntime().availableProcessors() : this.mergeWorkers;
    }

    int effectiveIngestThreads() {
        return this.ingestThreads == 0 ? Runtime.getRuntime().availableProcessors() : this.ingestThreads;
    }
}
