package io.xcomposer.common.health;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.inference.client.TritonClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Whether the model server and a service's {@link RequiredModels} are ready, probed in the background from start
 * on. Services start without the model server (nothing waits for it at start-up), report not-ready through the
 * {@code modelServer} health contributor, and become ready by themselves once it appears. Work that needs the
 * models calls {@link #requireReady()} to refuse with 503 + {@code Retry-After} instead of failing later; what must
 * be read from the server once (model configs) hooks {@link #onReady}.
 */
public class ModelServerWatch implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ModelServerWatch.class);

    private final TritonClient client;

    private final List<String> models;

    private final ModelServerWatchProperties properties;

    private final List<Supplier<Mono<?>>> readyListeners = new CopyOnWriteArrayList<>();

    private volatile boolean ready;

    private volatile String reason = "not probed yet";

    private volatile @Nullable Disposable probing;

    public ModelServerWatch(TritonClient client, RequiredModels models, ModelServerWatchProperties properties) {
        this.client = client;
        this.models = models.names();
        this.properties = properties;
    }

    public boolean isReady() {
        return this.ready;
    }

    /** Why the server is not ready, for health details and logs. */
    public String reason() {
        return this.ready ? "ready" : this.reason;
    }

    /** Throws 503 {@code model_server_unavailable} with {@code Retry-After} unless the server is ready. */
    public void requireReady() {
        if (!this.ready) {
            throw ApiException.unavailable(
                    this.properties.retryAfter(),
                    "model_server_unavailable",
                    "The model server is not available (" + this.reason + "); retry later.");
        }
    }

    /**
     * Subscribes to {@code listener} each time the server becomes ready, before the watch reports ready. A
     * listener that fails keeps the watch not-ready, and it is tried again on the next probe.
     */
    public void onReady(Supplier<Mono<?>> listener) {
        this.readyListeners.add(listener);
    }

    /**
     * Probes once before returning, so a service started next to a running model server is ready from its first
     * request (an absent server refuses the connection at once; a hung one costs {@code probe-timeout}), then goes
     * on probing in the background.
     */
    @Override
    public void start() {
        Boolean first = probe().flatMap(this::record).block();
        Duration pause =
                Boolean.TRUE.equals(first) ? this.properties.intervalWhileUp() : this.properties.intervalWhileDown();
        // The first pause stays outside the repeated cycle: each cycle is one probe, then the pause its outcome asks
        // for, so the interval is 250 ms while down and 2 s while up, not the first pause plus that.
        Mono<Long> cycle = Mono.defer(this::probe)
                .flatMap(this::record)
                .flatMap(nowReady ->
                        Mono.delay(nowReady ? this.properties.intervalWhileUp() : this.properties.intervalWhileDown()));
        this.probing = Mono.delay(pause).thenMany(cycle.repeat()).subscribe();
    }

    @Override
    public void stop() {
        Disposable current = this.probing;
        if (current != null) {
            current.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        Disposable current = this.probing;
        return current != null && !current.isDisposed();
    }

    private Mono<Boolean> probe() {
        return Flux.concat(
                        this.client.serverReady().map(up -> check(up, "server not ready")),
                        Flux.fromIterable(this.models)
                                .concatMap(model -> this.client
                                        .modelReady(model)
                                        .map(up -> check(up, "model '" + model + "' not ready"))))
                .all(up -> up)
                .timeout(this.properties.probeTimeout())
                .onErrorResume(failure -> {
                    this.reason =
                            failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
                    return Mono.just(false);
                });
    }

    private boolean check(boolean up, String otherwise) {
        if (!up) {
            this.reason = otherwise;
        }
        return up;
    }

    private Mono<Boolean> record(boolean nowReady) {
        boolean wasReady = this.ready;
        if (nowReady && !wasReady) {
            return Flux.fromIterable(this.readyListeners)
                    .concatMap(listener -> listener.get().then())
                    .then(Mono.fromCallable(() -> {
                        log.info("model server ready with {}", this.models);
                        this.ready = true;
                        return true;
                    }))
                    .timeout(this.properties.probeTimeout().multipliedBy(5))
                    .onErrorResume(failed -> {
                        this.reason = "reading the model configuration failed: " + failed.getMessage();
                        log.warn("model server up, but {}", this.reason);
                        return Mono.just(false);
                    });
        }
        if (!nowReady && wasReady) {
            log.warn("model server not ready: {}", this.reason);
        }
        this.ready = nowReady;
        return Mono.just(nowReady);
    }
}
