package io.xcomposer.retrieval.health;

import io.xcomposer.retrieval.index.IndexSynchronizer;
import io.xcomposer.retrieval.seed.GallerySeeder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The {@code gallery} readiness contributor: down until the index is recovered from the Redis catalog and the
 * configured seed gallery is in, both of which happen in the background after start-up (and wait for Redis and
 * the model server). Redis and the model server themselves have their own contributors.
 */
@Component
public class GalleryHealthIndicator implements ReactiveHealthIndicator {

    private final IndexSynchronizer index;

    private final GallerySeeder seeder;

    public GalleryHealthIndicator(IndexSynchronizer index, GallerySeeder seeder) {
        this.index = index;
        this.seeder = seeder;
    }

    @Override
    public Mono<Health> health() {
        Health.Builder health = this.index.isRecovered() && this.seeder.isDone() ? Health.up() : Health.down();
        return Mono.just(health.withDetail("index", this.index.recoveryState())
                .withDetail("seed", this.seeder.state())
                .build());
    }
}
