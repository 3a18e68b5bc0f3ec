package io.xcomposer.composition.compose;

import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionStore;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The one writer of a composition during a run or an edit: keeps the current state, saves every change together
 * with its event (one Redis script), so a client that sees an event finds its effect in the state, and a state
 * holds exactly what its events announced. A run's journal writes only while
 * its replica holds the composition's lease ({@link io.xcomposer.composition.article.CompositionLeases}).
 */
public final class Journal {

    private final CompositionStore store;

    /** The lease holder whose writes these are; empty for an edit, which the edit lock guards instead. */
    private final String owner;

    private Composition state;

    public Journal(CompositionStore store, Composition state) {
        this(store, state, "");
    }

    public Journal(CompositionStore store, Composition state, String owner) {
        this.store = store;
        this.state = state;
        this.owner = owner;
    }

    public Composition state() {
        return this.state;
    }

    /** Saves the change and announces it in one step: a state is never stored without its event. */
    public Mono<Void> commit(Composition next, String type, Map<String, ?> payload) {
        this.state = next;
        return this.store.commit(next, type, payload, this.owner).then();
    }

    public Mono<Void> commit(Composition next) {
        this.state = next;
        return this.store.commit(next, null, null, this.owner).then();
    }

    public Mono<Long> event(String type, Map<String, ?> payload) {
        return this.store.append(this.state.id(), type, payload, this.owner);
    }
}
