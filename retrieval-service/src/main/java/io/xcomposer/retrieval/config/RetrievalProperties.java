package io.xcomposer.retrieval.config;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the gallery ({@code xcomposer.retrieval.*}).
 *
 * @param publicBaseUrl prefix of the image URLs returned in search results, e.g. the gateway's public address
 * @param keyPrefix Redis key prefix; a Cluster hash tag so every catalog key (and each Lua script's keys) share a slot
 * @param indexPath directory of the Lucene index; rebuilt from the catalog when missing or stale
 * @param imageModel model embedding images ({@code pixel_values} → {@code embedding})
 * @param textModel model embedding texts ({@code text} BYTES → {@code embedding})
 * @param embedBatchSize most images or texts per ModelInfer call (also capped by the model's max_batch_size)
 * @param maxImageBytes largest accepted image
 * @param maxImagePixels largest accepted width × height, checked from the header before decoding
 * @param maxBatchItems most items in one {@code images:batch} request
 * @param maxJobItems most items in one bulk job
 * @param commitInterval how often index changes are made durable (a crash loses at most this much, replayed from Redis)
 * @param syncInterval how often the index polls the catalog's change log (picks up writes of other replicas)
 * @param jobLease how long a job's owner lease lives without renewal; after a crash another start resumes it then
 * @param jobTtl how long finished jobs stay readable
 * @param duplicateThreshold dot product above which two results count as near-duplicates when collapsing
 * @param searchCandidates HNSW candidates explored per search (ef); higher = better recall, slower
 * @param seedGallery a gallery.jsonl to ingest at start-up (idempotent); null ingests nothing
 */
@ConfigurationProperties(RetrievalProperties.PREFIX)
public record RetrievalProperties(
        @DefaultValue("http://localhost:8083") String publicBaseUrl,
        @DefaultValue("{gallery}") String keyPrefix,
        @DefaultValue("data/gallery-index") Path indexPath,
        @DefaultValue("image_embedder") String imageModel,
        @DefaultValue("text_embedder") String textModel,
        @DefaultValue("16") int embedBatchSize,
        @DefaultValue("20MB") DataSize maxImageBytes,
        @DefaultValue("40000000") long maxImagePixels,
        @DefaultValue("64") int maxBatchItems,
        @DefaultValue("10000") int maxJobItems,
        @DefaultValue("1s") Duration commitInterval,
        @DefaultValue("1s") Duration syncInterval,
        @DefaultValue("30s") Duration jobLease,
        @DefaultValue("7d") Duration jobTtl,
        @DefaultValue("0.995") double duplicateThreshold,
        @DefaultValue("100") int searchCandidates,
        @Nullable Path seedGallery) {

    public static final String PREFIX = "xcomposer.retrieval";

    public RetrievalProperties {
        if (embedBatchSize < 1 || maxBatchItems < 1 || maxJobItems < 1) {
            throw new IllegalArgumentException("batch sizes and item limits must be positive");
        }
        publicBaseUrl =
                publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
    }

    /** The content URL of a stored image. */
    public String contentUrl(String id) {
        return this.publicBaseUrl + "/v1/gallery/images/" + id + "/content";
    }
}
