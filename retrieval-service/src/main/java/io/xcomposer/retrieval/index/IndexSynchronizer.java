package io.xcomposer.retrieval.index;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.redis.RedisFailures;
import io.xcomposer.retrieval.catalog.GalleryCatalog;
import io.xcomposer.retrieval.config.RetrievalProperties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Keeps the {@link VectorIndex} in step with the catalog by tailing the catalog's change log; the index's only
 * writer, on one thread. This class owns that thread and the service's view of it (ready or not, who waits);
 * {@link IndexUpdater} does the work on it, reading the catalog through {@link CatalogPages}.
 * <p>
 * At start (in the background, retried until Redis answers; see {@link #start()}) the index recovers: rebuild or
 * replay, see {@link IndexUpdater#recover()}. While running, writers call {@link #awaitApplied(long)} after their
 * Redis write, so an acknowledged image is already searchable; a periodic tick also picks up writes made by other
 * replicas and commits at most every commit-interval.
 */
@Component
public class IndexSynchronizer implements SmartLifecycle {

    private static final Logger logger = LoggerFactory.getLogger(IndexSynchronizer.class);

    /** Pause between recovery attempts while Redis is absent: with Lettuce's reconnect, ready ~1 s after it returns. */
    private static final long RECOVERY_RETRY_MILLIS = 250;

    private final RetrievalProperties properties;

    private final GenerationWaiters waiters = new GenerationWaiters();

    private final IndexUpdater updater;

    private @Nullable ScheduledExecutorService executor;

    private volatile boolean recovered;

    private volatile @Nullable RuntimeException lastRecoveryFailure;

    private volatile @Nullable ScheduledFuture<?> recovering;

    public IndexSynchronizer(
            VectorIndex index, GalleryCatalog catalog, RetrievalProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.updater =
                new IndexUpdater(index, new CatalogPages(catalog), meters, properties.commitInterval(), this.waiters);
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
            submitAndWait(thread, this.updater::commitNow);
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
        if (this.updater.applied() >= generation) {
            return Mono.empty();
        }
        Mono<Void> done = this.waiters.await(generation);
        ScheduledExecutorService thread = this.executor;
        if (thread != null) {
            thread.execute(this::catchUpQuietly);
        }
        return done;
    }

    /** The generation the index reflects; -1 before start. */
    public long appliedGeneration() {
        return this.updater.applied();
    }

    /** One recovery attempt on the index thread; on success the periodic sync takes over. */
    private void tryRecover() {
        if (this.recovered) {
            return;
        }
        try {
            this.updater.recover();
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

    private void tick() {
        try {
            this.updater.sync();
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
            this.updater.catchUp();
        } catch (RuntimeException ex) {
            logger.warn("Vector index catch-up failed; the next tick retries", ex);
        }
    }

    private static void submitAndWait(ScheduledExecutorService thread, Runnable task) {
        try {
            thread.submit(task).get();
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        } catch (ExecutionException ex) {
            throw new IllegalStateException("Vector index synchronisation failed", ex.getCause());
        }
    }
}
