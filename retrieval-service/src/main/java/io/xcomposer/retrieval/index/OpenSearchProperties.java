package io.xcomposer.retrieval.index;

import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The OpenSearch cluster behind {@link OpenSearchVectorIndex} ({@code xcomposer.retrieval.index.opensearch.*}), used
 * when {@code xcomposer.retrieval.index.engine=opensearch}. The HNSW M / efConstruction and the post-rebuild merge
 * come from {@link IndexProperties}, the search breadth from {@code xcomposer.retrieval.search-candidates}.
 *
 * @param uris HTTP(S) endpoints of the cluster's nodes; the client spreads requests over them and fails over
 * @param index name of the gallery index (one per gallery; replicas of the service share it)
 * @param shards primary shards, fixed at creation: each holds its own HNSW graphs and is searched in parallel
 * @param replicas copies of each shard (more = more search throughput and availability)
 * @param username basic-auth user, when the cluster's security plugin asks for one
 * @param password basic-auth password
 */
@ConfigurationProperties(OpenSearchProperties.PREFIX)
public record OpenSearchProperties(
        @DefaultValue("http://127.0.0.1:9200") List<URI> uris,
        @DefaultValue("xcomposer-gallery") String index,
        @DefaultValue("1") int shards,
        @DefaultValue("1") int replicas,
        @Nullable String username,
        @Nullable String password) {

    public static final String PREFIX = "xcomposer.retrieval.index.opensearch";

    public OpenSearchProperties {
        if (uris.isEmpty() || shards < 1 || replicas < 0 || index.isBlank()) {
            throw new IllegalArgumentException("opensearch: uris not empty, index named, shards ≥ 1, replicas ≥ 0");
        }
    }
}
