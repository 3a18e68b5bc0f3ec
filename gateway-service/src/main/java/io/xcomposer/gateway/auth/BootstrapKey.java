package io.xcomposer.gateway.auth;

import java.time.Duration;

import io.xcomposer.gateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * With {@code xcomposer.gateway.bootstrap-key=true} and no key in Redis, creates one key and prints its secret once
 * to the log, so a fresh local run is usable without the admin API. Never runs when any key exists, so restarts do
 * not mint keys. Failure (Redis not up yet) is logged, not fatal.
 */
@Component
public class BootstrapKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapKey.class);

    private final ApiKeyStore store;
    private final boolean enabled;

    public BootstrapKey(ApiKeyStore store, GatewayProperties properties) {
        this.store = store;
        this.enabled = properties.bootstrapKey();
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!enabled || args.containsOption("create-key")) {
            return;
        }
        try {
            Long existing = store.count().block(Duration.ofSeconds(5));
            if (existing != null && existing > 0) {
                return;
            }
            CreatedKey created = store.create("bootstrap", 0, 0).block(Duration.ofSeconds(5));
            if (created != null) {
                log.warn("No API key existed, created bootstrap key {} (shown only now): {}", created.key().id(),
                        created.secret());
            }
        } catch (RuntimeException e) {
            log.warn("Could not create the bootstrap key: {}", e.toString());
        }
    }
}
