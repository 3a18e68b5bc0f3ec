package io.xcomposer.inference.client;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the channel's reconnect back-off. grpc-java's own back-off (1 s growing by 1.6x to 2 min) has no public
 * setting; while the channel sits in TRANSIENT_FAILURE this calls {@link ManagedChannel#resetConnectBackoff()}
 * every {@code maxBackoff}, so a restarted server is reached at most that long after it listens. Calls still fail
 * fast meanwhile (they are not wait-for-ready). One daemon thread per client; it only wakes while the server is
 * unreachable.
 */
final class ReconnectPacer implements AutoCloseable {

    private final ManagedChannel channel;

    private final Duration maxBackoff;

    private final ScheduledExecutorService timer;

    private ReconnectPacer(ManagedChannel channel, Duration maxBackoff) {
        this.channel = channel;
        this.maxBackoff = maxBackoff;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "grpc-reconnect-pacer");
            thread.setDaemon(true);
            return thread;
        });
    }

    static ReconnectPacer start(ManagedChannel channel, Duration maxBackoff) {
        ReconnectPacer pacer = new ReconnectPacer(channel, maxBackoff);
        pacer.watch();
        return pacer;
    }

    private void watch() {
        if (this.timer.isShutdown() || this.channel.isShutdown()) {
            return;
        }
        ConnectivityState state = this.channel.getState(false);
        if (state == ConnectivityState.TRANSIENT_FAILURE) {
            try {
                this.timer.schedule(this::nudge, this.maxBackoff.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                // closed meanwhile
            }
        } else {
            // In-process and other test channels may not support state notifications: then there is nothing to pace.
            try {
                this.channel.notifyWhenStateChanged(state, this::watch);
            } catch (UnsupportedOperationException notSupported) {
                this.timer.shutdown();
            }
        }
    }

    private void nudge() {
        if (this.channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
            this.channel.resetConnectBackoff();
        }
        watch();
    }

    @Override
    public void close() {
        this.timer.shutdownNow();
    }
}
