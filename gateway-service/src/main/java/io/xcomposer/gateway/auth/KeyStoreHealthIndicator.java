package io.xcomposer.gateway.auth;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The gateway's {@code keyStore} readiness contributor: down from start until Redis first answered, up from then
 * on. Before that the gateway can authenticate nobody (its auth cache is empty), so a balancer should send
 * clients to other replicas; afterwards a Redis outage does not take it out of rotation, because keys validated in
 * the last minutes still work from the cache and limits fail open, which every replica does alike (see
 * docs/operations.md, "Probes and metrics").
 */
@Component
public class KeyStoreHealthIndicator implements ReactiveHealthIndicator {

    private final KeyStoreStartup startup;

    public KeyStoreHealthIndicator(KeyStoreStartup startup) {
        this.startup = startup;
    }

    @Override
    public Mono<Health> health() {
        Health.Builder health = startup.isDone() ? Health.up() : Health.down();
        return Mono.just(health.withDetail("state", startup.state()).build());
    }
}
