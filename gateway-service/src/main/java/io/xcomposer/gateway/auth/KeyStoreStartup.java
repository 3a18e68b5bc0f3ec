package io.xcomposer.gateway.auth;

import io.xcomposer.gateway.config.GatewayProperties;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The gateway's first contact with the key store, in the background so that start-up never waits for Redis: it
 * asks Redis how many keys exist every {@link #RETRY} until Redis answers, and then, with
 * {@code xcomposer.gateway.bootstrap-key=true} and no key at all, creates one key and prints its secret once to
 * the log (so a fresh local run is usable without the admin API; never when any key exists, so restarts do not
 * mint keys). {@link #isDone()} feeds the {@code keyStore} readiness contributor.
 */
@Component
public class KeyStoreStartup implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyStoreStartup.class);

    /** Pause between attempts while Redis is absent: with Lettuce's reconnect, done well within a second of it. */
    static final Duration RETRY = Duration.ofMillis(250);

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final ApiKeyStore store;
    private final boolean bootstrap;

    private volatile boolean done;
    private volatile String state = "not started";
    private volatile Disposable contact;

    public KeyStoreStartup(ApiKeyStore store, GatewayProperties properties, ApplicationArguments args) {
        this.store = store;
        // --create-key runs the gateway only to make that key (CreateKeyCommand): no bootstrap key then.
        this.bootstrap = properties.bootstrapKey() && !args.containsOption(CreateKeyCommand.OPTION);
    }

    /** Whether Redis has answered since start (and the bootstrap key, when on, exists). */
    public boolean isDone() {
        return done;
    }

    /** What the first contact is waiting for, for health details. */
    public String state() {
        return state;
    }

    @Override
    public void start() {
        this.contact = Mono.defer(this::firstContact)
                .retryWhen(Retry.fixedDelay(Long.MAX_VALUE, RETRY).doBeforeRetry(retry -> {
                    state = "waiting for Redis: " + retry.failure();
                    if (retry.totalRetries() == 0) {
                        log.warn(
                                "Redis does not answer; the gateway stays not ready and retries every {} ms: {}",
                                RETRY.toMillis(),
                                retry.failure().toString());
                    }
                }))
                .subscribe(ignored -> {
                    done = true;
                    state = "reached";
                });
    }

    private Mono<Boolean> firstContact() {
        return store.count().timeout(CALL_TIMEOUT).defaultIfEmpty(0L).flatMap(existing -> {
            if (!bootstrap || existing > 0) {
                return Mono.just(true);
            }
            return store.create("bootstrap", 0, 0).timeout(CALL_TIMEOUT).map(created -> {
                log.warn(
                        "No API key existed, created bootstrap key {} (shown only now): {}",
                        created.key().id(),
                        created.secret());
                return true;
            });
        });
    }

    @Override
    public void stop() {
        Disposable current = contact;
        if (current != null) {
            current.dispose();
        }
        contact = null;
    }

    @Override
    public boolean isRunning() {
        return contact != null;
    }
}
