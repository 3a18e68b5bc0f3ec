package io.xcomposer.retrieval.index;

import io.xcomposer.retrieval.catalog.IndexEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.opensearch.client.Request;
import org.opensearch.client.RequestOptions;
import org.opensearch.client.ResponseException;
import org.opensearch.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link VectorIndex} on an OpenSearch index with the k-NN plugin's {@code knn_vector} field on the Lucene engine
 * (HNSW, inner product; no native library on the cluster), for galleries that outgrow one node's index. Like
 * {@link LuceneVectorIndex} it is derived data that the {@link IndexSynchronizer} feeds from the Redis catalog.
 * <p>
 * Visibility and durability follow the interface: the index refreshes only when told ({@code refresh_interval: -1});
 * adds and deletes are buffered and sent as one {@code _bulk} request on {@link #refresh()}, {@link #commit} or when
 * the buffer is full; the catalog checkpoint lives in the mapping's {@code _meta}, written after the documents it
 * covers were acknowledged (OpenSearch's translog makes each acknowledged bulk durable).
 */
public final class OpenSearchVectorIndex implements VectorIndex {

    static final String VECTOR = "vector";

    static final String TAGS = "tags";

    private static final int MAX_BUFFERED = 512;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * For bulk loads, refreshes and force-merges, which build HNSW graphs inside the request: a force-merge of 20 000
     * × 512 took longer than the client's default 30 s response timeout on a loaded 2-core machine.
     */
    private static final RequestOptions SLOW = RequestOptions.DEFAULT.toBuilder()
            .setRequestConfig(RequestConfig.custom()
                    .setResponseTimeout(Timeout.ofMinutes(30))
                    .build())
            .build();

    private final RestClient client;

    private final OpenSearchProperties properties;

    private final IndexProperties settings;

    private final int candidates;

    private final StringBuilder bulk = new StringBuilder();

    private int buffered;

    private boolean vectorMapped;

    private volatile @Nullable Checkpoint lastCommit;

    private OpenSearchVectorIndex(
            RestClient client, OpenSearchProperties properties, IndexProperties settings, int candidates) {
        this.client = client;
        this.properties = properties;
        this.settings = settings;
        this.candidates = candidates;
    }

    /**
     * Opens (creating when missing) the index {@code properties.index()} and reads the checkpoint it holds.
     * @param candidates HNSW candidates explored per search (the k-NN query's {@code k}); the best {@code k} are returned
     */
    public static OpenSearchVectorIndex open(
            RestClient client, OpenSearchProperties properties, IndexProperties settings, int candidates) {
        OpenSearchVectorIndex index = new OpenSearchVectorIndex(client, properties, settings, candidates);
        index.createIfMissing();
        JsonNode mapping = index.call("GET", "/" + properties.index() + "/_mapping", null)
                .path(properties.index())
                .path("mappings");
        index.vectorMapped = mapping.path("properties").has(VECTOR);
        JsonNode checkpoint = mapping.path("_meta").path("checkpoint");
        index.lastCommit = checkpoint.isObject()
                ? new Checkpoint(
                        checkpoint.get("epoch").asString(),
                        checkpoint.get("generation").asLong())
                : null;
        return index;
    }

    @Override
    public synchronized void add(IndexEntry entry) {
        mapVector(entry.vector().length);
        this.bulk
                .append(JSON.writeValueAsString(Map.of("index", Map.of("_id", entry.id()))))
                .append('\n')
                .append(JSON.writeValueAsString(Map.of(VECTOR, entry.vector(), TAGS, entry.tags())))
                .append('\n');
        bufferedOne();
    }

    @Override
    public synchronized void delete(String id) {
        this.bulk
                .append(JSON.writeValueAsString(Map.of("delete", Map.of("_id", id))))
                .append('\n');
        bufferedOne();
    }

    @Override
    public List<IndexHit> search(float[] vector, int k, SearchFilter filter) {
        return search(vector, k, filter, this.candidates);
    }

    /** {@link #search(float[], int, SearchFilter)} with another search breadth (the benchmark varies it). */
    List<IndexHit> search(float[] vector, int k, SearchFilter filter, int candidates) {
        if (!this.vectorMapped) {
            return List.of();
        }
        Map<String, Object> knn = new LinkedHashMap<>();
        knn.put("vector", vector);
        knn.put("k", Math.max(k, candidates));
        if (!filter.isEmpty()) {
            knn.put("filter", filterQuery(filter));
        }
        Map<String, Object> body = Map.of("size", k, "_source", false, "query", Map.of("knn", Map.of(VECTOR, knn)));
        JsonNode hits = call("POST", "/" + this.properties.index() + "/_search", JSON.writeValueAsString(body))
                .path("hits")
                .path("hits");
        List<IndexHit> out = new ArrayList<>(hits.size());
        for (JsonNode hit : hits) {
            out.add(new IndexHit(
                    hit.get("_id").asString(), dotProduct(hit.get("_score").floatValue())));
        }
        return out;
    }

    @Override
    public int size() {
        return call("GET", "/" + this.properties.index() + "/_count", null)
                .path("count")
                .asInt();
    }

    @Override
    public synchronized void rebuild(Iterator<IndexEntry> entries, Checkpoint checkpoint) {
        this.bulk.setLength(0);
        this.buffered = 0;
        call("DELETE", "/" + this.properties.index(), null);
        this.vectorMapped = false;
        this.lastCommit = null;
        createIfMissing();
        while (entries.hasNext()) {
            add(entries.next());
        }
        flush();
        if (this.settings.bulkMaxSegments() > 0) {
            // One HNSW graph per segment, each searched separately: merge as the Lucene index does after a rebuild.
            call(
                    "POST",
                    "/" + this.properties.index() + "/_forcemerge?max_num_segments=" + this.settings.bulkMaxSegments(),
                    null);
        }
        refresh();
        commit(checkpoint);
    }

    @Override
    public synchronized void refresh() {
        flush();
        call("POST", "/" + this.properties.index() + "/_refresh", null);
    }

    @Override
    public synchronized void commit(Checkpoint checkpoint) {
        flush();
        Map<String, Object> meta =
                Map.of("checkpoint", Map.of("epoch", checkpoint.epoch(), "generation", checkpoint.generation()));
        call("PUT", "/" + this.properties.index() + "/_mapping", JSON.writeValueAsString(Map.of("_meta", meta)));
        this.lastCommit = checkpoint;
    }

    @Override
    public @Nullable Checkpoint lastCommit() {
        return this.lastCommit;
    }

    @Override
    public void close() throws IOException {
        this.client.close();
    }

    /**
     * OpenSearch turns an inner product into a non-negative score ({@code 1 + dot} when the dot product is ≥ 0,
     * {@code 1 / (1 - dot)} below); this is its inverse, so hits carry the dot product as {@link IndexHit} says.
     */
    static float dotProduct(float score) {
        return score >= 1 ? score - 1 : 1 - 1 / score;
    }

    private static Map<String, Object> filterQuery(SearchFilter filter) {
        Map<String, Object> bool = new LinkedHashMap<>();
        if (!filter.anyOfTags().isEmpty()) {
            bool.put("filter", List.of(Map.of("terms", Map.of(TAGS, List.copyOf(filter.anyOfTags())))));
        }
        if (!filter.excludeIds().isEmpty()) {
            bool.put("must_not", List.of(Map.of("ids", Map.of("values", List.copyOf(filter.excludeIds())))));
        }
        return Map.of("bool", bool);
    }

    private void createIfMissing() {
        if (exists()) {
            return;
        }
        Map<String, Object> index = Map.of(
                "knn",
                true,
                "number_of_shards",
                this.properties.shards(),
                "number_of_replicas",
                this.properties.replicas(),
                // Searches see changes after refresh(), as the interface promises, not on a timer.
                "refresh_interval",
                "-1");
        Map<String, Object> mappings =
                Map.of("dynamic", "strict", "properties", Map.of(TAGS, Map.of("type", "keyword")));
        call(
                "PUT",
                "/" + this.properties.index(),
                JSON.writeValueAsString(Map.of("settings", Map.of("index", index), "mappings", mappings)));
    }

    /** The vector field needs its dimension, known from the first vector; added to the mapping then. */
    private void mapVector(int dimension) {
        if (this.vectorMapped) {
            return;
        }
        Map<String, Object> method = Map.of(
                "name", "hnsw",
                "engine", "lucene",
                "space_type", "innerproduct",
                "parameters",
                        Map.of("m", this.settings.maxConnections(), "ef_construction", this.settings.beamWidth()));
        Map<String, Object> field = Map.of("type", "knn_vector", "dimension", dimension, "method", method);
        call(
                "PUT",
                "/" + this.properties.index() + "/_mapping",
                JSON.writeValueAsString(Map.of("properties", Map.of(VECTOR, field))));
        this.vectorMapped = true;
    }

    private void bufferedOne() {
        if (++this.buffered >= MAX_BUFFERED) {
            flush();
        }
    }

    private void flush() {
        if (this.buffered == 0) {
            return;
        }
        JsonNode response = call("POST", "/" + this.properties.index() + "/_bulk", this.bulk.toString());
        this.bulk.setLength(0);
        this.buffered = 0;
        if (response.path("errors").asBoolean()) {
            for (JsonNode item : response.path("items")) {
                for (JsonNode result : item) { // {"index": {...}} or {"delete": {...}}
                    // A delete of an absent id is a no-op, as the interface says; anything else failed.
                    if (result.has("error")) {
                        throw new IllegalStateException("OpenSearch bulk item failed: " + result.get("error"));
                    }
                }
            }
        }
    }

    private boolean exists() {
        try {
            return this.client
                            .performRequest(new Request("HEAD", "/" + this.properties.index()))
                            .getStatusLine()
                            .getStatusCode()
                    == 200;
        } catch (ResponseException e) {
            if (e.getResponse().getStatusLine().getStatusCode() == 404) {
                return false;
            }
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode call(String method, String path, @Nullable String body) {
        Request request = new Request(method, path);
        if (path.endsWith("_bulk") || path.endsWith("_refresh") || path.contains("_forcemerge")) {
            request.setOptions(SLOW);
        }
        if (body != null) {
            request.setEntity(new StringEntity(
                    body,
                    path.endsWith("_bulk")
                            ? ContentType.create("application/x-ndjson")
                            : ContentType.APPLICATION_JSON));
        }
        try {
            var response = this.client.performRequest(request);
            return response.getEntity() == null
                    ? JSON.createObjectNode()
                    : JSON.readTree(EntityUtils.toString(response.getEntity()));
        } catch (ResponseException e) {
            if (method.equals("DELETE") && e.getResponse().getStatusLine().getStatusCode() == 404) {
                return JSON.createObjectNode(); // deleting what is not there
            }
            throw new UncheckedIOException("OpenSearch " + method + " " + path + " failed", e);
        } catch (IOException | org.apache.hc.core5.http.ParseException e) {
            throw new IllegalStateException("OpenSearch " + method + " " + path + " failed", e);
        }
    }
}
