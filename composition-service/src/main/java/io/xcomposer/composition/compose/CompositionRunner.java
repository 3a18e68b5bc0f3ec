package io.xcomposer.composition.compose;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionLeases;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.article.LeaseLost;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.composition.model.ArticleModel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs compositions on the server, independent of any client connection, at most {@code max-running} at once.
 * A composition beyond that is refused before anything is stored (503 with Retry-After). Each run holds the
 * composition's lease ({@link CompositionLeases}), renewed every {@code lease.renew-every} while it runs; a run whose
 * lease is lost stops at once, since another replica may already have ended the composition.
 */
@Component
public class CompositionRunner implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(CompositionRunner.class);

    /** Longest wait at shutdown for giving the leases up. */
    private static final Duration RELEASE_AT_STOP = Duration.ofSeconds(2);

    private final ArticleModel model;

    private final ArticleSteps steps;

    private final CompositionStore store;

    private final CompositionLeases leases;

    private final CompositionMetrics metrics;

    private final CompositionProperties properties;

    private final Semaphore permits;

    /** The runs of this process, by composition id. */
    private final Map<String, Disposable> running = new ConcurrentHashMap<>();

    /**
     * Compositions whose lease this process holds or is taking: its runs (marked before the lease is taken) and the
     * orphans it is ending. A lease with this replica's id whose composition is not here is an orphan.
     */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    private volatile @Nullable Disposable renewal;

    CompositionRunner(
            ArticleModel model,
            ArticleSteps steps,
            CompositionStore store,
            CompositionLeases leases,
            CompositionMetrics metrics,
            CompositionProperties properties) {
        this.model = model;
        this.steps = steps;
        this.store = store;
        this.leases = leases;
        this.metrics = metrics;
        this.properties = properties;
        this.permits = new Semaphore(properties.maxRunning());
    }

    /** Takes a running place; throws 503 when all are taken. Pair with {@link #claim} or {@link #release}. */
    public void reserve() {
        if (!this.permits.tryAcquire()) {
            throw ApiException.unavailable(
                    this.properties.retryAfter(),
                    "All " + this.properties.maxRunning() + " composition places are busy; retry later.");
        }
    }

    public void release() {
        this.permits.release();
    }

    /**
     * Takes the lease of a new composition, before any of it is stored, so every stored running composition has an
     * owner. Pair with {@link #start}, or {@link #unclaim} when storing it fails.
     */
    public Mono<Void> claim(String id) {
        this.held.add(id);
        return this.leases
                .acquire(id)
                .flatMap(taken -> taken
                        ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException("the lease of new composition " + id + " is taken")))
                .doOnError(failure -> this.held.remove(id));
    }

    /** Undoes a {@link #reserve} and {@link #claim} whose composition could not be stored. */
    public void unclaim(String id) {
        this.permits.release();
        this.held.remove(id);
        this.leases.release(id).subscribe(null, failure -> log.warn("composition {}: lease not released", id, failure));
    }

    /** Starts a claimed composition whose initial state is stored; it runs until done, whoever listens. */
    public void start(Composition stored, @Nullable String requestId) {
        this.metrics.started();
        run(stored, requestId);
    }

    /**
     * Goes on with an orphan whose lease this process has just claimed ({@link #hold} and
     * {@link CompositionLeases#claim}), from its stored state; false, leaving it held, when no running place is free.
     */
    boolean resume(Composition orphan) {
        if (!isRunning() || !this.permits.tryAcquire()) {
            return false;
        }
        this.metrics.resumed();
        log.info("composition {}: resumed by replica {} from its stored state", orphan.id(), this.leases.replicaId());
        run(orphan, null);
        return true;
    }

    private void run(Composition stored, @Nullable String requestId) {
        String id = stored.id();
        CompositionRun run = new CompositionRun(
                stored,
                this.model,
                this.steps,
                this.store,
                this.leases.replicaId(),
                this.metrics,
                this.properties.maxTokens().write(),
                this.properties.excludeFromSearch(),
                requestId);
        Disposable handle = run.execute()
                .onErrorResume(LeaseLost.class, lost -> {
                    log.warn("composition {}: {}; the run stops", id, lost.getMessage());
                    this.metrics.abandoned();
                    return Mono.empty();
                })
                .flatMap(done -> this.leases
                        .release(id)
                        .onErrorResume(failure -> {
                            // The lease then expires, and a sweep finds the composition finished and only unlists it.
                            log.warn("composition {}: lease not released", id, failure);
                            return Mono.empty();
                        })
                        .thenReturn(done))
                .doFinally(signal -> {
                    this.permits.release();
                    this.running.remove(id);
                    this.held.remove(id);
                })
                .subscribe(
                        done -> log.info(
                                "composition {} {}", done.id(), done.status().wire()),
                        failure -> log.error("composition {} could not record its failure", id, failure));
        if (!handle.isDisposed()) {
            this.running.put(id, handle);
        }
    }

    /** Whether this process runs the composition or is ending it. */
    public boolean holds(String id) {
        return this.held.contains(id);
    }

    /** Marks an orphan this process is about to end; false when it is already held here. */
    boolean hold(String id) {
        return this.held.add(id);
    }

    void unhold(String id) {
        this.held.remove(id);
    }

    /** Stops a run whose lease is gone; whoever took the lease over ends the composition. */
    private void abandon(String id) {
        Disposable run = this.running.remove(id);
        if (run != null) {
            log.warn("composition {}: this replica ({}) lost its lease; the run stops", id, this.leases.replicaId());
            run.dispose();
            this.metrics.abandoned();
        }
    }

    private Mono<Void> renew(String id) {
        return this.leases
                .renew(id)
                .doOnNext(renewed -> {
                    if (!renewed) {
                        abandon(id);
                    }
                })
                .onErrorResume(failure -> {
                    log.warn("composition {}: lease not renewed, retrying: {}", id, failure.toString());
                    return Mono.empty();
                })
                .then();
    }

    @Override
    public void start() {
        this.renewal = Flux.interval(this.properties.lease().renewEvery())
                .onBackpressureDrop()
                .concatMap(
                        tick -> Flux.fromIterable(List.copyOf(this.running.keySet()))
                                .flatMap(this::renew)
                                .then(),
                        1)
                .subscribe();
    }

    /**
     * Stops renewing and stops the runs, then gives their leases up, so the sweep of another replica (or of this
     * one, restarted) ends them with an {@code error} event without waiting for the leases to expire.
     */
    @Override
    public void stop() {
        Disposable renewing = this.renewal;
        if (renewing != null) {
            renewing.dispose();
        }
        List<String> stopped = List.copyOf(this.running.keySet());
        stopped.forEach(id -> {
            Disposable run = this.running.remove(id);
            if (run != null) {
                run.dispose();
            }
        });
        try {
            Flux.fromIterable(stopped).flatMap(this.leases::giveUp).then().block(RELEASE_AT_STOP);
        } catch (RuntimeException failure) {
            log.warn(
                    "{} leases not released at shutdown; they expire in {}",
                    stopped.size(),
                    this.properties.lease().ttl(),
                    failure);
        }
        this.renewal = null;
    }

    @Override
    public boolean isRunning() {
        return this.renewal != null;
    }
}
