package io.xcomposer.inference.server.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.inference.server.config.ServerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Starts the Triton gRPC endpoint with the application context and drains it on shutdown. */
@Component
public class GrpcServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

    private final ServerProperties properties;
    private final InferenceGrpcService service;
    private final ObservationRegistry observations;
    private volatile @Nullable Server server;

    public GrpcServerLifecycle(
            ServerProperties properties,
            InferenceGrpcService service,
            ObjectProvider<ObservationRegistry> observations) {
        this.properties = properties;
        this.service = service;
        this.observations = observations.getIfAvailable(() -> ObservationRegistry.NOOP);
    }

    @Override
    public void start() {
        try {
            server = NettyServerBuilder.forAddress(
                            new InetSocketAddress(properties.grpcAddress(), properties.grpcPort()),
                            InsecureServerCredentials.create())
                    // Last runs first: each call is observed (a grpc.server span continuing the caller's W3C
                    // traceparent from the metadata) before the token check may refuse it.
                    .addService(ServerInterceptors.intercept(
                            service,
                            new ServiceTokenCheck(properties.serviceToken()),
                            new ObservationGrpcServerInterceptor(observations)))
                    .maxInboundMessageSize(properties.maxInboundMessageBytes())
                    // Clients ping every 30 s while calls run (inference-client's keep-alive), to notice a lost
                    // server; the default permits one ping per 5 min and would answer them with GOAWAY.
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start gRPC server on port " + properties.grpcPort(), e);
        }
        log.info(
                "Started GRPCInferenceService at {}:{}{}",
                properties.grpcAddress(),
                server.getPort(),
                properties.serviceToken() == null || properties.serviceToken().isBlank()
                        ? ""
                        : " (service token required)");
    }

    @Override
    public void stop() {
        Server server = this.server;
        if (server == null) {
            return;
        }
        server.shutdown();
        try {
            if (!server.awaitTermination(30, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Drops every connection and call at once, as a crashed process would; for fault tests. */
    public void kill() {
        Server server = this.server;
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return server != null && !server.isShutdown();
    }

    /** The bound port; differs from the configured one when that is 0. */
    public int port() {
        return server.getPort();
    }
}
