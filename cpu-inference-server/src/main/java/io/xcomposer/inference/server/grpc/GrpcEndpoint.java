package io.xcomposer.inference.server.grpc;

import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.xcomposer.inference.server.config.ServerProperties;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * The Triton gRPC endpoint as Spring gRPC runs it: Spring gRPC builds, starts and drains the server (address, port,
 * message size, keep-alive and grace period are {@code spring.grpc.server.*}, mapped from the platform's
 * {@code xcomposer.server.*} names in application.yml) and registers {@link InferenceGrpcService}; this class adds the
 * service-token check and keeps a handle on the running server for its bound port and for fault tests.
 */
@Configuration(proxyBeanMethods = false)
public class GrpcEndpoint {

    private static final Logger log = LoggerFactory.getLogger(GrpcEndpoint.class);

    private volatile @Nullable Server server;

    @Bean
    @GlobalServerInterceptor
    ServerInterceptor serviceTokenCheck(ServerProperties properties) {
        return new ServiceTokenCheck(properties.serviceToken());
    }

    @EventListener
    void started(GrpcServerStartedEvent event) {
        this.server = event.getServer();
        log.info("Started GRPCInferenceService at {}:{}", event.getAddress(), event.getPort());
    }

    /** The bound port; differs from the configured one when that is 0. */
    public int port() {
        return running().getPort();
    }

    /** Drops every connection and call at once, as a crashed process would; for fault tests. */
    public void kill() {
        running().shutdownNow();
    }

    private Server running() {
        Server server = this.server;
        if (server == null) {
            throw new IllegalStateException("the gRPC endpoint has not started");
        }
        return server;
    }
}
