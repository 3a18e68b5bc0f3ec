package io.xcomposer.composition.events;

import io.xcomposer.composition.article.CompositionEvent;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.compose.OrphanSweeper;
import io.xcomposer.composition.config.CompositionProperties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Reads a composition's event log from a given position and follows it live: replays what is stored, then polls
 * for more (pull-based, so a slow client only slows its own reads). Ends once it has delivered an event that
 * finishes a run or an edit ({@code done}, {@code error}, {@code edit_done}) and nothing newer exists. While it
 * waits it checks the composition's lease every {@code lease.sweep-every}: a run whose replica died is taken over,
 * resumed or ended ({@link OrphanSweeper}), so the follower gets the rest or an {@code error} instead of keep-alives
 * until the keys expire.
 */
@Component
public class EventFollower {

    static final Set<String> FINISHING = Set.of("done", "error", "edit_done");

    private final CompositionStore store;

    private final CompositionProperties properties;

    private final OrphanSweeper orphans;

    EventFollower(CompositionStore store, OrphanSweeper orphans, CompositionProperties properties) {
        this.store = store;
        this.orphans = orphans;
        this.properties = properties;
    }

    /**
     * The events after {@code after}, then the live rest. The first read starts at event {@code after} itself
     * (not sent again), so a client that resumes after the event that finished the run is told at once that
     * nothing follows, instead of waiting.
     */
    public Flux<CompositionEvent> follow(String id, long after) {
        AtomicLong cursor = new AtomicLong(Math.max(0, after - 1));
        AtomicBoolean lastFinished = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        long checkEvery = this.properties.lease().sweepEvery().toNanos();
        AtomicLong nextCheck = new AtomicLong(System.nanoTime() + checkEvery);
        return Flux.defer(() -> this.store
                        .eventsAfter(id, cursor.get())
                        .collectList()
                        .flatMapMany(batch -> {
                            if (batch.isEmpty()) {
                                if (lastFinished.get()) {
                                    ended.set(true);
                                    return Flux.empty();
                                }
                                Mono<?> check = Mono.empty();
                                long now = System.nanoTime();
                                if (now - nextCheck.get() >= 0) {
                                    nextCheck.set(now + checkEvery);
                                    check = this.orphans
                                            .recoverIfOrphaned(id)
                                            .onErrorResume(failure -> Mono.just(false));
                                }
                                return check.then(Mono.delay(this.properties.pollInterval()))
                                        .thenMany(Flux.empty());
                            }
                            CompositionEvent last = batch.get(batch.size() - 1);
                            cursor.set(last.seq());
                            lastFinished.set(FINISHING.contains(last.type()));
                            return Flux.fromIterable(batch).filter(event -> event.seq() > after);
                        }))
                .repeat(() -> !ended.get());
    }
}
