package io.xcomposer.inference.server.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the CPU inference server, bound from {@code xcomposer.server.*}. The gRPC endpoint's own settings
 * ({@code grpc-port}, {@code grpc-address}, {@code max-inbound-message-bytes}) feed {@code spring.grpc.server.*} in
 * application.yml, where Spring gRPC reads them.
 *
 * @param repository Triton-layout model repository to serve.
 * @param maxConcurrentGenerations decoder generations that may run at once; further ones are refused with
 *     UNAVAILABLE rather than queued, because a queued generation holds a client stream open without progress.
 * @param maxQueuedRequests unary requests that may wait for execution per model; beyond that UNAVAILABLE.
 * @param intraOpThreads ONNX Runtime intra-op threads per session. Small by default: the server runs several
 *     sessions concurrently on few cores, and oversubscription costs more than it gains.
 * @param unaryWorkers threads executing unary (non-batched) inference.
 * @param dynamicBatching whether models whose config has {@code dynamic_batching} batch concurrent requests.
 * @param serviceToken when set, every gRPC call must carry it ({@code x-service-token}); the services present the
 *     platform's {@code xcomposer.security.service-token}.
 * @param tokenDelay pause after each generated token; 0 except in fault tests, which need a generation (of the
 *     tiny model, that answers in ~30 tokens at ~600 tokens/s) to still be running when they kill the server.
 */
@ConfigurationProperties(prefix = ServerProperties.PREFIX)
public record ServerProperties(
        @DefaultValue("model-repository/tiny") Path repository,
        @DefaultValue("4") int maxConcurrentGenerations,
        @DefaultValue("64") int maxQueuedRequests,
        @DefaultValue("1") int intraOpThreads,
        @DefaultValue("2") int unaryWorkers,
        @DefaultValue("true") boolean dynamicBatching,
        @Nullable String serviceToken,
        @DefaultValue("0ms") java.time.Duration tokenDelay) {

    public static final String PREFIX = "xcomposer.server";
}
