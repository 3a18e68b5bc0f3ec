package io.xcomposer.composition.compose;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionLeases;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.article.Status;
import io.xcomposer.composition.article.StepError;
import io.xcomposer.composition.config.CompositionProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Ends compositions whose replica died. Every {@code lease.sweep-every} it walks the listed compositions (at most
 * {@code lease.sweep-batch}) and takes over each one nobody runs any more: its lease expired, or it carries this
 * replica's id although no run of this process has it (this replica was restarted; no need to wait for the expiry).
 * The taker records {@code error} ({@code composition_interrupted}) and status {@code failed}, keeping what was
 * written; a composition that finished but whose owner died before announcing it gets its {@code done} or
 * {@code error}. Event streams waiting on a composition ask it too ({@link #recoverIfOrphaned}), so a follower sees
 * the end within a lease expiry plus a sweep interval, whichever replica it reads from.
 *
 * <p>An orphan is ended, not resumed: its run kept its progress in memory (the write step's streamed text, the
 * spotted positions before their captions) and a second writer would repeat events a client has already shown.
 */
@Component
public class OrphanSweeper implements SmartLifecycle {

	static final String INTERRUPTED = "composition_interrupted";

	private static final Logger log = LoggerFactory.getLogger(OrphanSweeper.class);

	private static final Set<String> FINISHING = Set.of("done", "error");

	/** Compositions taken over at once by one sweep. */
	private static final int CONCURRENCY = 8;

	private final CompositionRunner runner;

	private final CompositionLeases leases;

	private final CompositionStore store;

	private final CompositionMetrics metrics;

	private final CompositionProperties.Lease lease;

	private volatile @Nullable Disposable sweeping;

	OrphanSweeper(CompositionRunner runner, CompositionLeases leases, CompositionStore store,
			CompositionMetrics metrics, CompositionProperties properties) {
		this.runner = runner;
		this.leases = leases;
		this.store = store;
		this.metrics = metrics;
		this.lease = properties.lease();
	}

	/** One pass over the listed compositions; emits how many it ended. */
	public Mono<Long> sweep() {
		return this.leases.listed(this.lease.sweepBatch())
			.flatMap(this::recoverIfOrphaned, CONCURRENCY)
			.filter(Boolean::booleanValue)
			.count();
	}

	/**
	 * Ends the composition if it is a run nobody runs any more; emits whether this call ended it (false too when it
	 * is not listed: finished, an edit, unknown).
	 */
	public Mono<Boolean> recoverIfOrphaned(String id) {
		if (this.runner.holds(id)) {
			return Mono.just(false);
		}
		return this.leases.owner(id)
			.map(Optional::of)
			.defaultIfEmpty(Optional.empty())
			.flatMap(owner -> owner.isEmpty() || owner.get().equals(this.leases.replicaId()) ? takeOver(id)
					: Mono.just(false));
	}

	private Mono<Boolean> takeOver(String id) {
		return this.leases.isListed(id).flatMap(listed -> {
			if (!listed || !this.runner.hold(id)) {
				return Mono.just(false);
			}
			return this.leases.claim(id)
				.flatMap(claimed -> claimed ? end(id) : Mono.just(false))
				.doFinally(signal -> this.runner.unhold(id));
		});
	}

	private Mono<Boolean> end(String id) {
		return this.store.find(id)
			.flatMap(state -> state.status().finished() ? announceEnd(state) : interrupt(state))
			.defaultIfEmpty(false)
			.flatMap(ended -> this.leases.release(id).thenReturn(ended));
	}

	private Mono<Boolean> interrupt(Composition orphan) {
		StepError error = new StepError("composition", INTERRUPTED, "The service instance running this composition "
				+ "stopped before it finished; what was written so far is kept. Create the composition again.");
		Journal journal = new Journal(this.store, orphan, this.leases.replicaId());
		return journal.commit(orphan.failed(error), "error", Map.of("error", error)).doOnSuccess(ignored -> {
			this.metrics.interrupted();
			log.warn("composition {} ended: its replica stopped renewing its lease", orphan.id());
		}).thenReturn(true);
	}

	/** The owner saved the final state but died before appending its event. */
	private Mono<Boolean> announceEnd(Composition finished) {
		return this.store.lastEvent(finished.id())
			.filter(last -> FINISHING.contains(last.type()))
			.map(last -> false)
			.switchIfEmpty(Mono.defer(() -> {
				Journal journal = new Journal(this.store, finished, this.leases.replicaId());
				Mono<Long> event = finished.status() == Status.COMPLETED
						? journal.event("done", Map.of("status", finished.status(), "usage", finished.usage()))
						: journal.event("error", Map.of("error", finished.error()));
				return event.thenReturn(true);
			}));
	}

	@Override
	public void start() {
		this.sweeping = Flux.interval(this.lease.sweepEvery())
			.onBackpressureDrop()
			.concatMap(tick -> sweep().onErrorResume(failure -> {
				log.warn("orphan sweep failed; the next one retries", failure);
				return Mono.empty();
			}), 1)
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
