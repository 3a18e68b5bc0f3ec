package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.retrieval.catalog.IndexEntry;
import io.xcomposer.retrieval.support.RedisCatalog;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import reactor.test.StepVerifier;

/**
 * {@link OpenSearchVectorIndex} against a real OpenSearch 2.19 node with the k-NN plugin (Lucene engine), started
 * once for the class in its own JVM ({@link OpenSearchTestCluster}); each test uses its own index.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenSearchVectorIndexTests {

    private static final AtomicInteger INDEXES = new AtomicInteger();

    private OpenSearchTestCluster cluster;

    @BeforeAll
    void startNode() throws Exception {
        this.cluster = OpenSearchTestCluster.start();
    }

    @AfterAll
    void stopNode() throws Exception {
        if (this.cluster != null) {
            this.cluster.close();
        }
    }

    @Test
    void findsTheNearestByDotProduct_onlyAfterRefresh() throws Exception {
        try (OpenSearchVectorIndex index = open(freshName())) {
            index.add(entry("east", 1, 0, 0));
            index.add(entry("north", 0, 1, 0));
            index.add(entry("north-east", 1, 1, 0));
            assertThat(index.search(unit(1, 0.2f, 0), 2, SearchFilter.NONE))
                    .as("not refreshed yet")
                    .isEmpty();

            index.refresh();

            List<IndexHit> hits = index.search(unit(1, 0.2f, 0), 2, SearchFilter.NONE);
            assertThat(hits).extracting(IndexHit::id).containsExactly("east", "north-east");
            // The score is the dot product itself, not OpenSearch's 1 + dot.
            assertThat(hits.get(0).score()).isCloseTo(unit(1, 0.2f, 0)[0], within(1e-4f));
            assertThat(index.size()).isEqualTo(3);
        }
    }

    @Test
    void filtersApplyInsideTheSearch() throws Exception {
        try (OpenSearchVectorIndex index = open(freshName())) {
            index.add(entry("cat-1", List.of("cat"), 1, 0, 0));
            index.add(entry("cat-2", List.of("cat"), 0.9f, 0.1f, 0));
            index.add(entry("dog-1", List.of("dog"), 0.95f, 0.05f, 0));
            index.add(entry("dog-2", List.of("dog"), 0, 1, 0));
            index.refresh();

            assertThat(index.search(unit(1, 0, 0), 2, new SearchFilter(Set.of(), Set.of("dog"))))
                    .extracting(IndexHit::id)
                    .containsExactly("dog-1", "dog-2");
            assertThat(index.search(unit(1, 0, 0), 2, new SearchFilter(Set.of("cat-1", "dog-1"), Set.of())))
                    .extracting(IndexHit::id)
                    .containsExactly("cat-2", "dog-2");
        }
    }

    @Test
    void deletesAndReplacements() throws Exception {
        try (OpenSearchVectorIndex index = open(freshName())) {
            index.add(entry("a", 1, 0, 0));
            index.add(entry("b", 0, 1, 0));
            index.refresh();

            index.delete("a");
            index.delete("never-there");
            index.add(entry("b", 1, 0, 0)); // replaces b's vector
            index.refresh();

            assertThat(index.size()).isEqualTo(1);
            assertThat(index.search(unit(1, 0, 0), 5, SearchFilter.NONE))
                    .singleElement()
                    .satisfies(hit -> {
                        assertThat(hit.id()).isEqualTo("b");
                        assertThat(hit.score()).isCloseTo(1f, within(1e-4f));
                    });
            // Negative dot products come back as such (OpenSearch scores them 1 / (1 - dot)).
            assertThat(index.search(unit(-1, 0, 0), 1, SearchFilter.NONE))
                    .singleElement()
                    .satisfies(hit -> assertThat(hit.score()).isCloseTo(-1f, within(1e-4f)));
        }
    }

    @Test
    void theCheckpointIsStoredInTheCluster_andRebuildReplacesEverything() throws Exception {
        String name = freshName();
        try (OpenSearchVectorIndex index = open(name)) {
            assertThat(index.lastCommit()).isNull();
            index.add(entry("old", 1, 0, 0));
            index.commit(new Checkpoint("epoch-1", 7));
        }
        try (OpenSearchVectorIndex reopened = open(name)) {
            assertThat(reopened.lastCommit()).isEqualTo(new Checkpoint("epoch-1", 7));
            reopened.refresh();
            assertThat(reopened.size()).isEqualTo(1);

            reopened.rebuild(
                    IntStream.range(0, 1200)
                            .mapToObj(i -> entry("n" + i, 1, i / 1200f, 0))
                            .iterator(),
                    new Checkpoint("epoch-2", 1));

            assertThat(reopened.size()).isEqualTo(1200);
            assertThat(reopened.search(unit(1, 0, 0), 3, SearchFilter.NONE))
                    .extracting(IndexHit::id)
                    .containsExactly("n0", "n1", "n2");
        }
        try (OpenSearchVectorIndex again = open(name)) {
            assertThat(again.lastCommit()).isEqualTo(new Checkpoint("epoch-2", 1));
        }
    }

    @Test
    void theSynchronizerFeedsItFromTheRedisCatalog() throws Exception {
        String name = freshName();
        try (RedisCatalog redis = RedisCatalog.open();
                OpenSearchVectorIndex index = open(name)) {
            IndexSynchronizer synchronizer =
                    new IndexSynchronizer(index, redis.catalog(), redis.properties(), new SimpleMeterRegistry());
            synchronizer.start();
            redis.insert("cat", unit(1, 0, 0), "animal");
            long generation = redis.insert("car", unit(0, 1, 0), "vehicle");

            StepVerifier.create(synchronizer.awaitApplied(generation))
                    .expectComplete()
                    .verify(Duration.ofSeconds(30));

            assertThat(index.search(unit(0.1f, 1, 0), 1, SearchFilter.NONE))
                    .extracting(IndexHit::id)
                    .containsExactly(RedisCatalog.idOf("car"));
            synchronizer.stop();
            assertThat(index.lastCommit().generation()).isEqualTo(generation);
        }
    }

    @Test
    void recallAgainstExactSearchOnClusteredVectors() throws Exception {
        ClusteredVectors vectors = ClusteredVectors.embeddingLike(7, 64);
        float[][] data = vectors.generate(0, 3000);
        float[][] queries = vectors.generate(1L << 40, 50);
        try (OpenSearchVectorIndex index = open(freshName())) {
            index.rebuild(
                    IntStream.range(0, data.length)
                            .mapToObj(i -> new IndexEntry("v" + i, data[i], List.of()))
                            .iterator(),
                    new Checkpoint("bench", 1));
            List<List<IndexHit>> found = IntStream.range(0, queries.length)
                    .mapToObj(q -> index.search(queries[q], 10, SearchFilter.NONE))
                    .toList();

            assertThat(ExactSearch.recall(ExactSearch.topK(data, queries, 10), found))
                    .isGreaterThanOrEqualTo(0.95);
        }
    }

    private OpenSearchVectorIndex open(String name) {
        OpenSearchProperties properties = new OpenSearchProperties(List.of(this.cluster.uri()), name, 1, 0, null, null);
        return OpenSearchVectorIndex.open(
                IndexConfiguration.restClient(properties), properties, IndexProperties.defaults(), 100);
    }

    private static String freshName() {
        return "gallery-test-" + INDEXES.incrementAndGet();
    }

    private static IndexEntry entry(String id, float... vector) {
        return entry(id, List.of(), vector);
    }

    private static IndexEntry entry(String id, List<String> tags, float... vector) {
        return new IndexEntry(id, unit(vector), tags);
    }

    private static float[] unit(float... vector) {
        double norm = 0;
        for (float value : vector) {
            norm += value * value;
        }
        float[] out = vector.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] /= (float) Math.sqrt(norm);
        }
        return out;
    }
}
