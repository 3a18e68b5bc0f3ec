package io.xcomposer.retrieval.index;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.redis.RedisFailures;
import io.xcomposer.retrieval.catalog.CatalogChange;
import io.xcomposer.retrieval.catalog.CatalogState;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.catalog.IndexEntry;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Keeps the {@link VectorIndex} in step with the catalog by tailing the catalog's change log; the index's only
 * writer, on one thread.
 * <p>
 * At start (in the background, retried until Redis answers; see {@link #start()}): no usable commit, a commit of another catalog epoch, or a commit ahead of the catalog → full rebuild;
 * otherwise replay of the changes after the committed generation (what a crash left unapplied). While running,
 * writers call {@link #awaitApplied(long)} after their Redis write, so an acknowledged image is already searchable;
 * a periodic tick also picks up writes made by other replicas and commits at most every commit-interval.
 */
@Component
public class IndexSynchronizer implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(IndexSynchronizer.class);

    private static final int PAGE = 500;

    private static final Duration REDIS_TIMEOUT = Duration.ofSeconds(30);

    /** Pause between recovery attempts while Redis is absent: with Lettuce's reconnect, ready ~1 s after it returns. */
    private static final long RECOVERY_RETRY_MILLIS = 250;

    private final VectorIndex index;

    private final GalleryCatalog catalog;

    private final RetrievalProperties properties;

    private final MeterRegistry meters;

    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();

    private @Nullable ScheduledExecutorService executor;

    private volatile long applied = -1;

    private volatile String epoch = "";

    private volatile boolean recovered;

    private volatile @Nullable RuntimeException lastRecoveryFailure;

    private volatile @Nullable ScheduledFuture<?> recovering;

    private long lastCommitNanos;

    public IndexSynchronizer(
            VectorIndex index, GalleryCatalog catalog, RetrievalProperties properties, MeterRegistry meters) {
        this.index = index;
        this.catalog = catalog;
        this.properties = properties;
        this.meters = meters;
        Gauge.builder("retrieval.index.size", index, VectorIndex::size)
                .description("Vectors in the search index")
                .register(meters);
    }

    /**
     * Recovers, in the background if the first attempt fails: nothing waits for Redis at start-up. Until recovery
     * succeeds the service is not ready ({@code gallery} health contributor) and searches are refused
     * ({@link #requireRecovered()}); a failed attempt (Redis absent or lost mid-rebuild) is retried every
     * {@value #RECOVERY_RETRY_MILLIS} ms, and the periodic sync starts once it succeeded.
     */
    @Override
    public void start() {
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread worker = new Thread(task, "gallery-index");
            worker.setDaemon(true);
            return worker;
        });
        this.executor = thread;
        // One attempt before returning, so a service started next to a running Redis is ready (and its index up to
        // date) from its first request; an absent Redis fails it in milliseconds (connection refused).
        submitAndWait(thread, this::tryRecover);
        if (!this.recovered) {
            this.recovering = thread.scheduleWithFixedDelay(
                    this::tryRecover, RECOVERY_RETRY_MILLIS, RECOVERY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void stop() {
        ScheduledExecutorService thread = this.executor;
        if (thread == null) {
            return;
        }
        if (this.recovered) {
            submitAndWait(thread, this::commitNow);
        }
        thread.shutdown();
        this.executor = null;
    }

    @Override
    public boolean isRunning() {
        return this.executor != null;
    }

    /** Whether the index has been brought up to date with the catalog since start (it is kept so from then on). */
    public boolean isRecovered() {
        return this.recovered;
    }

    /** Why the index is not recovered yet, for health details. */
    public String recoveryState() {
        RuntimeException failure = this.lastRecoveryFailure;
        return this.recovered ? "recovered" : failure == null ? "recovering" : "retrying after: " + failure;
    }

    /**
     * Refuses with 503 + {@code Retry-After} until the index is recovered: before that it may miss or still hold
     * images, so a search would answer wrongly rather than fail. {@code redis_unavailable} when Redis is the cause.
     */
    public void requireRecovered() {
        if (this.recovered) {
            return;
        }
        RuntimeException failure = this.lastRecoveryFailure;
        if (failure != null && RedisFailures.isUnavailable(failure)) {
            throw ApiErrors.toApiException(failure);
        }
        throw ApiException.unavailable(
                RedisFailures.RETRY_AFTER,
                "index_not_ready",
                "The gallery index is being recovered from the catalog; retry later.");
    }

    /** After Redis (phase 0) and before the web server and the job runner; stops in the reverse order. */
    @Override
    public int getPhase() {
        return 1000;
    }

    /** Completes once the index reflects the catalog at least up to {@code generation}. */
    public Mono<Void> awaitApplied(long generation) {
        if (this.applied >= generation) {
            return Mono.empty();
        }
        Sinks.Empty<Void> done = Sinks.empty();
        synchronized (this.waiters) {
            this.waiters.add(new Waiter(generation, done));
        }
        ScheduledExecutorService thread = this.executor;
        if (thread != null) {
            thread.execute(this::catchUpQuietly);
        }
        return done.asMono();
    }

    /** The generation the index reflects; -1 before start. */
    public long appliedGeneration() {
        return this.applied;
    }

    /** One recovery attempt on the index thread; on success the periodic sync takes over. */
    private void tryRecover() {
        if (this.recovered) {
            return;
        }
        try {
            recover();
        } catch (RuntimeException ex) {
            boolean first = this.lastRecoveryFailure == null;
            this.lastRecoveryFailure = ex;
            if (first) {
                logger.warn(
                        "Vector index recovery failed, retrying every {} ms until it succeeds: {}",
                        RECOVERY_RETRY_MILLIS,
                        ex.toString());
            }
            return;
        }
        this.recovered = true;
        this.lastRecoveryFailure = null;
        cancelRecovering();
        ScheduledExecutorService thread = this.executor;
        if (thread != null && !thread.isShutdown()) {
            long period = this.properties.syncInterval().toMillis();
            thread.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void cancelRecovering() {
        ScheduledFuture<?> retrying = this.recovering;
        if (retrying != null) {
            retrying.cancel(false);
        }
    }

    private void recover() {
        CatalogState state = this.catalog.state().block(REDIS_TIMEOUT);
        Checkpoint committed = this.index.lastCommit();
        this.epoch = state.epoch();
        String reason = committed == null
                ? "missing"
                : !committed.epoch().equals(state.epoch())
                        ? "foreign_epoch"
                        : committed.generation() > state.generation() ? "ahead_of_catalog" : null;
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

    private void rebuild(CatalogState state, String reason) {
        long started = System.nanoTime();
        Counter.builder("retrieval.index.rebuilds")
                .tag("reason", reason)
                .register(this.meters)
                .increment();
        // Everything up to this generation is in the enumeration; later changes are replayed by catchUp().
        this.index.rebuild(liveEntries(), new Checkpoint(state.epoch(), state.generation()));
        this.applied = state.generation();
        this.lastCommitNanos = System.nanoTime();
        logger.info(
                "Rebuilt the vector index ({}): {} vectors in {} ms",
                reason,
                this.index.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void tick() {
        try {
            CatalogState state = this.catalog.state().block(REDIS_TIMEOUT);
            if (!state.epoch().equals(this.epoch) || state.generation() < this.applied) {
                // The catalog was recreated under us (e.g. Redis wiped): the index describes nothing that exists.
                this.epoch = state.epoch();
                rebuild(state, "catalog_reset");
            }
            catchUp();
            if (System.nanoTime() - this.lastCommitNanos
                    >= this.properties.commitInterval().toNanos()) {
                commitNow();
            }
        } catch (RuntimeException ex) {
            logger.warn("Vector index sync failed; retrying in {}", this.properties.syncInterval(), ex);
        }
    }

    private void catchUpQuietly() {
        if (!this.recovered) {
            // Waiters are released by the recovery's own catch-up.
            return;
        }
        try {
            catchUp();
        } catch (RuntimeException ex) {
            logger.warn("Vector index catch-up failed; the next tick retries", ex);
        }
    }

    /** Applies every logged change after {@link #applied}, in generation order, then releases waiters. */
    private void catchUp() {
        boolean changed = false;
        while (true) {
            List<CatalogChange> changes =
                    this.catalog.changesAfter(this.applied, PAGE).collectList().block(REDIS_TIMEOUT);
            if (changes.isEmpty()) {
                break;
            }
            List<Optional<IndexEntry>> entries = fetchEntries(changes);
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
        releaseWaiters();
    }

    private void releaseWaiters() {
        synchronized (this.waiters) {
            while (!this.waiters.isEmpty() && this.waiters.peek().generation() <= this.applied) {
                this.waiters.poll().done().tryEmitEmpty();
            }
        }
    }

    private void commitNow() {
        Checkpoint last = this.index.lastCommit();
        if (this.applied >= 0
                && (last == null
                        || last.generation() != this.applied
                        || !last.epoch().equals(this.epoch))) {
            this.index.commit(new Checkpoint(this.epoch, this.applied));
        }
        this.lastCommitNanos = System.nanoTime();
    }

    /** All live catalog entries, read page by page on the calling (index) thread. */
    private Iterator<IndexEntry> liveEntries() {
        return new Iterator<>() {

            private long after = 0;

            private Iterator<IndexEntry> page = List.<IndexEntry>of().iterator();

            private boolean exhausted;

            @Override
            public boolean hasNext() {
                while (!this.page.hasNext() && !this.exhausted) {
                    List<CatalogChange> ids = IndexSynchronizer.this
                            .catalog
                            .liveAfter(this.after, PAGE)
                            .collectList()
                            .block(REDIS_TIMEOUT);
                    this.exhausted = ids.isEmpty();
                    if (!this.exhausted) {
                        this.after = ids.get(ids.size() - 1).generation();
                        this.page = fetchEntries(ids).stream()
                                .flatMap(Optional::stream)
                                .iterator();
                    }
                }
                return this.page.hasNext();
            }

            @Override
            public IndexEntry next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return this.page.next();
            }
        };
    }

    /** Entries for the ids, in order, empty where the image no longer exists; pipelined over one connection. */
    private List<Optional<IndexEntry>> fetchEntries(List<CatalogChange> changes) {
        return Flux.fromIterable(changes)
                .flatMapSequential(
                        change -> this.catalog
                                .indexEntry(change.id())
                                .map(Optional::of)
                                .defaultIfEmpty(Optional.empty()),
                        32)
                .collectList()
                .block(REDIS_TIMEOUT);
    }

    private static void submitAndWait(ScheduledExecutorService thread, Runnable task) {
        try {
            thread.submit(task).get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } catch (java.util.concurrent.ExecutionException ex) {
            throw new IllegalStateException("Vector index synchronisation failed", ex.getCause());
        }
    }

    private record Waiter(long generation, Sinks.Empty<Void> done) implements Comparable<Waiter> {

        @Override
        public int compareTo(Waiter other) {
            return Long.compare(this.generation, other.generation);
        }
    }
}
