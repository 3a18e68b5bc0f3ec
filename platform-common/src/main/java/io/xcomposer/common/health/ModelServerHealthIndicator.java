package io.xcomposer.common.health;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Mono;

/** The {@link ModelServerWatch}'s latest answer as the {@code modelServer} health contributor; never blocks. */
public class ModelServerHealthIndicator implements ReactiveHealthIndicator {

    private final ModelServerWatch watch;

    public ModelServerHealthIndicator(ModelServerWatch watch) {
        this.watch = watch;
    }

    @Override
    public Mono<Health> health() {
        Health.Builder health = this.watch.isReady() ? Health.up() : Health.down();
        return Mono.just(health.withDetail("reason", this.watch.reason()).build());
    }
}
