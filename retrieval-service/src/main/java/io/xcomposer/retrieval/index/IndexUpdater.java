package io.xcomposer.retrieval.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.retrieval.catalog.CatalogChange;
import io.xcomposer.retrieval.catalog.CatalogState;
import io.xcomposer.retrieval.catalog.IndexEntry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the {@link VectorIndex} in step with the catalog: the recovery at start (rebuild or replay), the periodic
 * sync and the catch-up after a write. Not thread-safe: the {@link IndexSynchronizer} calls it from its one index
 * thread only; {@link #applied()} may be read from any thread.
 */
class IndexUpdater {

    private static final Logger logger = LoggerFactory.getLogger(IndexUpdater.class);

    private final VectorIndex index;

    private final CatalogPages catalog;

    private final MeterRegistry meters;

    private final Duration commitInterval;

    private final GenerationWaiters waiters;

    private volatile long applied = -1;

    private String epoch = "";

    private long lastCommitNanos;

    IndexUpdater(
            VectorIndex index,
            CatalogPages catalog,
            MeterRegistry meters,
            Duration commitInterval,
            GenerationWaiters waiters) {
        this.index = index;
        this.catalog = catalog;
        this.meters = meters;
        this.commitInterval = commitInterval;
        this.waiters = waiters;
    }

    /** The catalog generation the index reflects; -1 before recovery. */
    long applied() {
        return this.applied;
    }

    /**
     * No usable commit, a commit of another catalog epoch, or a commit ahead of the catalog → full rebuild;
     * otherwise replay of the changes after the committed generation (what a crash left unapplied).
     */
    void recover() {
        CatalogState state = this.catalog.state();
        Checkpoint committed = this.index.lastCommit();
        this.epoch = state.epoch();
        String reason = rebuildReason(committed, state);
        if (reason != null) {
            rebuild(state, reason);
        } else {
            this.applied = committed.generation();
            this.index.refresh();
        }
        catchUp();
        commitNow();
        logger.info("Vector index ready: {} vectors at catalog generation {}", this.index.size(), this.applied);
    }

    /** Why the committed index cannot be replayed forward to the catalog's state; null when it can. */
    static @Nullable String rebuildReason(@Nullable Checkpoint committed, CatalogState state) {
        if (committed == null) {
            return "missing";
        }
        if (!committed.epoch().equals(state.epoch())) {
            return "foreign_epoch";
        }
        return committed.generation() > state.generation() ? "ahead_of_catalog" : null;
    }

    /** One periodic step: follow a recreated catalog, apply new changes, commit when the interval has passed. */
    void sync() {
        CatalogState state = this.catalog.state();
        if (!state.epoch().equals(this.epoch) || state.generation() < this.applied) {
            // The catalog was recreated under us (e.g. Redis wiped): the index describes nothing that exists.
            this.epoch = state.epoch();
            rebuild(state, "catalog_reset");
        }
        catchUp();
        if (System.nanoTime() - this.lastCommitNanos >= this.commitInterval.toNanos()) {
            commitNow();
        }
    }

    /** Applies every logged change after {@link #applied}, in generation order, then releases waiters. */
    void catchUp() {
        boolean changed = false;
        while (true) {
            List<CatalogChange> changes = this.catalog.changesAfter(this.applied);
            if (changes.isEmpty()) {
                break;
            }
            List<Optional<IndexEntry>> entries = this.catalog.entries(changes);
            for (int i = 0; i < changes.size(); i++) {
                CatalogChange change = changes.get(i);
                entries.get(i).ifPresentOrElse(this.index::add, () -> this.index.delete(change.id()));
                this.applied = change.generation();
            }
            changed = true;
        }
        if (changed) {
            this.index.refresh();
        }
        this.waiters.releaseUpTo(this.applied);
    }

    /** Makes the applied state durable, unless the last commit already holds it. */
    void commitNow() {
        Checkpoint last = this.index.lastCommit();
        if (this.applied >= 0
                && (last == null
                        || last.generation() != this.applied
                        || !last.epoch().equals(this.epoch))) {
            this.index.commit(new Checkpoint(this.epoch, this.applied));
        }
        this.lastCommitNanos = System.nanoTime();
    }

    private void rebuild(CatalogState state, String reason) {
        long started = System.nanoTime();
        Counter.builder("retrieval.index.rebuilds")
                .tag("reason", reason)
                .register(this.meters)
                .increment();
        // Everything up to this generation is in the enumeration; later changes are replayed by catchUp().
        this.index.rebuild(this.catalog.liveEntries(), new Checkpoint(state.epoch(), state.generation()));
        this.applied = state.generation();
        this.lastCommitNanos = System.nanoTime();
        logger.info(
                "Rebuilt the vector index ({}): {} vectors in {} ms",
                reason,
                this.index.size(),
                (System.nanoTime() - started) / 1_000_000);
    }
}
