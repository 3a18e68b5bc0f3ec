package io.xcomposer.composition.article;

/**
 * A run's write refused because its replica no longer holds the composition's lease: the lease expired (the
 * replica stalled longer than {@code lease.ttl}) and another replica may have ended the composition meanwhile.
 */
public final class LeaseLost extends RuntimeException {

    public LeaseLost(String id, String owner) {
        super("Replica " + owner + " no longer holds the lease of composition " + id);
    }
}
