package io.xcomposer.composition.compose;

import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionLeases;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.article.StepError;
import io.xcomposer.composition.config.CompositionProperties;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Takes over compositions whose replica died. Every {@code lease.sweep-every} it walks the listed compositions (at most
 * {@code lease.sweep-batch}) and takes over each one nobody runs any more: its lease expired, or it carries this
 * replica's id although no run of this process has it (this replica was restarted; no need to wait for the expiry).
 * The taker resumes it from its stored state when the article was written (the rest of the pipeline is recorded
 * step by step, see {@link CompositionRun}), if it has a running place free; otherwise it records {@code error}
 * ({@code composition_interrupted}) and status {@code failed}, keeping what was written. Event streams waiting on a composition ask it too ({@link #recoverIfOrphaned}), so a follower sees
 * the end within a lease expiry plus a sweep interval, whichever replica it reads from.
 *
 * <p>An orphan that was still writing is ended, not resumed: the streamed text of the paragraph under way exists
 * only as {@code text_delta} events, and writing again would repeat text a client has already shown.
 */
@Component
public class OrphanSweeper implements SmartLifecycle {

    static final String INTERRUPTED = "composition_interrupted";

    private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);

    /** Compositions taken over at once by one sweep. */
    private static final int CONCURRENCY = 8;

    private final CompositionRunner runner;

    private final CompositionLeases leases;

    private final CompositionStore store;

    private final CompositionMetrics metrics;

    private final CompositionProperties.Lease lease;

    private volatile @Nullable Disposable sweeping;

    OrphanSweeper(
            CompositionRunner runner,
            CompositionLeases leases,
            CompositionStore store,
            CompositionMetrics metrics,
            CompositionProperties properties) {
        this.runner = runner;
        this.leases = leases;
        this.store = store;
        this.metrics = metrics;
        this.lease = properties.lease();
    }

    /** One pass over the listed compositions; emits how many it ended. */
    public Mono<Long> sweep() {
        return this.leases
                .listed(this.lease.sweepBatch())
                .flatMap(this::recoverIfOrphaned, CONCURRENCY)
                .filter(Boolean::booleanValue)
                .count();
    }

    /**
     * Takes the composition over if it is a run nobody runs any more; emits whether this call did (false too when
     * it is not listed: finished, an edit, unknown).
     */
    public Mono<Boolean> recoverIfOrphaned(String id) {
        // A replica that is shutting down takes nothing over: it would only stop it again.
        if (!isRunning() || this.runner.holds(id)) {
            return Mono.just(false);
        }
        return this.leases
                .owner(id)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap(owner -> owner.isEmpty() || owner.get().equals(this.leases.replicaId())
                        ? takeOver(id)
                        : Mono.just(false));
    }

    private Mono<Boolean> takeOver(String id) {
        return this.leases.isListed(id).flatMap(listed -> {
            if (!listed || !this.runner.hold(id)) {
                return Mono.just(false);
            }
            AtomicBoolean resumed = new AtomicBoolean();
            return this.leases
                    .claim(id)
                    .flatMap(claimed -> claimed ? settle(id, resumed) : Mono.just(false))
                    .doFinally(signal -> {
                        if (!resumed.get()) {
                            this.runner.unhold(id);
                        }
                    });
        });
    }

    /** Resumes the orphan, or ends it and gives the lease up; a finished or expired one is only unlisted. */
    private Mono<Boolean> settle(String id, AtomicBoolean resumed) {
        return this.store
                .find(id)
                .flatMap(state -> {
                    if (state.status().finished()) {
                        return Mono.just(false);
                    }
                    if (CompositionRun.resumable(state) && this.runner.resume(state)) {
                        resumed.set(true);
                        return Mono.just(true);
                    }
                    return interrupt(state);
                })
                .defaultIfEmpty(false)
                .flatMap(tookOver -> resumed.get()
                        ? Mono.just(true)
                        : this.leases.release(id).thenReturn(tookOver));
    }

    private Mono<Boolean> interrupt(Composition orphan) {
        StepError error = new StepError(
                "composition",
                INTERRUPTED,
                "The service instance running this composition "
                        + "stopped before it finished; what was written so far is kept. Create the composition again.");
        Journal journal = new Journal(this.store, orphan, this.leases.replicaId());
        return journal.commit(orphan.failed(error), "error", Map.of("error", error))
                .doOnSuccess(ignored -> {
                    this.metrics.interrupted();
                    log.warn(
                            "composition {} ended: its replica stopped renewing its lease while it was still writing",
                            orphan.id());
                })
                .thenReturn(true);
    }

    @Override
    public void start() {
        this.sweeping = Flux.interval(this.lease.sweepEvery())
                .onBackpressureDrop()
                .concatMap(
                        tick -> sweep().onErrorResume(failure -> {
                            // Once a second while Redis is down: the message is enough.
                            log.warn("orphan sweep failed, the next one retries: {}", failure.toString());
                            return Mono.empty();
                        }),
                        1)
                .subscribe();
    }

    @Override
    public void stop() {
        Disposable running = this.sweeping;
        if (running != null) {
            running.dispose();
        }
        this.sweeping = null;
    }

    @Override
    public boolean isRunning() {
        return this.sweeping != null;
    }
}
