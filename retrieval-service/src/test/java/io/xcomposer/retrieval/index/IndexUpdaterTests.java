package io.xcomposer.retrieval.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.retrieval.catalog.CatalogState;
import io.xcomposer.retrieval.catalog.IndexEntry;
import io.xcomposer.retrieval.support.RedisCatalog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The index's recovery, sync and catch-up against a real catalog in Redis and a real Lucene index on disk. */
class IndexUpdaterTests {

    private final RedisCatalog redis = RedisCatalog.open();

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private final GenerationWaiters waiters = new GenerationWaiters();

    @TempDir
    Path indexPath;

    private LuceneVectorIndex index;

    @AfterEach
    void close() throws IOException {
        if (this.index != null) {
            this.index.close();
        }
        this.redis.close();
    }

    @Test
    void recoverWithoutACommit_rebuildsFromTheLiveImagesAndCommits() {
        this.redis.insert("a", unit(1, 0));
        this.redis.insert("b", unit(0, 1));
        long last = this.redis.insert("c", unit(1, 1));
        this.redis.delete("b");
        long generation = state().generation();
        IndexUpdater updater = updater();

        updater.recover();

        assertThat(last).isLessThan(generation);
        assertThat(this.index.size()).isEqualTo(2);
        assertThat(ids(unit(1, 0), 3)).containsExactlyInAnyOrder(RedisCatalog.idOf("a"), RedisCatalog.idOf("c"));
        assertThat(updater.applied()).isEqualTo(generation);
        assertThat(this.index.lastCommit()).isEqualTo(new Checkpoint(state().epoch(), generation));
        assertThat(rebuilds("missing")).isEqualTo(1);
    }

    @Test
    void recoverAfterACommitOfTheSameEpoch_replaysOnlyWhatFollowedIt() throws IOException {
        this.redis.insert("a", unit(1, 0));
        this.redis.insert("b", unit(0, 1));
        updater().recover();
        this.index.close();
        // Written while "the process was down": one new image, one deleted.
        this.redis.insert("c", unit(1, 1));
        this.redis.delete("a");

        this.index = LuceneVectorIndex.open(this.indexPath, 100);
        IndexUpdater restarted =
                new IndexUpdater(this.index, pages(), this.meters, Duration.ofSeconds(1), this.waiters);
        restarted.recover();

        assertThat(rebuilds("missing")).as("only the first start rebuilt").isEqualTo(1);
        assertThat(ids(unit(1, 0), 3)).containsExactlyInAnyOrder(RedisCatalog.idOf("b"), RedisCatalog.idOf("c"));
        assertThat(restarted.applied()).isEqualTo(state().generation());
        assertThat(this.index.lastCommit().generation()).isEqualTo(state().generation());
    }

    @Test
    void rebuildReasons() {
        CatalogState catalog = new CatalogState("epoch-1", 10);

        assertThat(IndexUpdater.rebuildReason(null, catalog)).isEqualTo("missing");
        assertThat(IndexUpdater.rebuildReason(new Checkpoint("epoch-0", 10), catalog))
                .isEqualTo("foreign_epoch");
        assertThat(IndexUpdater.rebuildReason(new Checkpoint("epoch-1", 11), catalog))
                .isEqualTo("ahead_of_catalog");
        assertThat(IndexUpdater.rebuildReason(new Checkpoint("epoch-1", 10), catalog))
                .isNull();
        assertThat(IndexUpdater.rebuildReason(new Checkpoint("epoch-1", 3), catalog))
                .isNull();
    }

    @Test
    void aCommitOfAnotherCatalog_isRebuiltNotReplayed() {
        this.redis.insert("a", unit(1, 0));
        this.index = LuceneVectorIndex.open(this.indexPath, 100);
        this.index.add(new IndexEntry("img_stale", unit(0, 1), List.of()));
        this.index.commit(new Checkpoint("another-catalog", 1));
        IndexUpdater updater = new IndexUpdater(this.index, pages(), this.meters, Duration.ofSeconds(1), this.waiters);

        updater.recover();

        assertThat(rebuilds("foreign_epoch")).isEqualTo(1);
        assertThat(ids(unit(0, 1), 5)).containsExactly(RedisCatalog.idOf("a"));
    }

    @Test
    void sync_followsACatalogThatWasRecreated() {
        this.redis.insert("a", unit(1, 0));
        this.redis.insert("b", unit(0, 1));
        IndexUpdater updater = updater();
        updater.recover();

        this.redis.wipe();
        this.redis.insert("c", unit(1, 1));
        updater.sync();

        assertThat(rebuilds("catalog_reset")).isEqualTo(1);
        assertThat(ids(unit(1, 0), 5)).containsExactly(RedisCatalog.idOf("c"));
        assertThat(updater.applied()).isEqualTo(state().generation());
    }

    @Test
    void catchUp_appliesNewChangesAndReleasesTheirWaiters() {
        IndexUpdater updater = updater();
        updater.recover();
        long added = this.redis.insert("a", unit(1, 0));
        Mono<Void> waiting = this.waiters.await(added);
        Mono<Void> later = this.waiters.await(added + 1);

        updater.catchUp();

        StepVerifier.create(waiting).expectComplete().verify(Duration.ofSeconds(1));
        assertThat(this.waiters.size()).as("the later generation still waits").isEqualTo(1);
        assertThat(ids(unit(1, 0), 1)).containsExactly(RedisCatalog.idOf("a"));
        StepVerifier.create(later)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .thenCancel()
                .verify();
    }

    @Test
    void rebuildReadsTheCatalogPageByPage() {
        int images = CatalogPages.PAGE + 20;
        for (int i = 0; i < images; i++) {
            this.redis.insert("image-" + i, unit(1 + i % 7, 1 + i % 5));
        }
        IndexUpdater updater = updater();

        updater.recover();

        assertThat(this.index.size()).isEqualTo(images);
        assertThat(updater.applied()).isEqualTo(images);
    }

    private IndexUpdater updater() {
        this.index = LuceneVectorIndex.open(this.indexPath, 100);
        return new IndexUpdater(this.index, pages(), this.meters, Duration.ofSeconds(1), this.waiters);
    }

    private CatalogPages pages() {
        return new CatalogPages(this.redis.catalog());
    }

    private CatalogState state() {
        return this.redis.catalog().state().block(RedisCatalog.WAIT);
    }

    private List<String> ids(float[] query, int k) {
        return this.index.search(query, k, SearchFilter.NONE).stream()
                .map(IndexHit::id)
                .toList();
    }

    private double rebuilds(String reason) {
        Counter counter = this.meters
                .find("retrieval.index.rebuilds")
                .tag("reason", reason)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static float[] unit(float x, float y) {
        double norm = Math.sqrt(x * x + y * y);
        return new float[] {(float) (x / norm), (float) (y / norm)};
    }
}
