package io.xcomposer.inference.server.repository;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Up when every model of the repository loaded; part of the readiness group (see application.yml). */
@Component("models")
class ModelRepositoryHealthIndicator implements HealthIndicator {

    private final ModelRepository repository;

    ModelRepositoryHealthIndicator(ModelRepository repository) {
        this.repository = repository;
    }

    @Override
    public Health health() {
        Health.Builder health = repository.allReady() ? Health.up() : Health.down();
        repository
                .entries()
                .forEach(entry -> health.withDetail(
                        entry.name(),
                        entry.isReady() ? entry.state().name() : entry.state().name() + ": " + entry.reason()));
        return health.build();
    }
}
