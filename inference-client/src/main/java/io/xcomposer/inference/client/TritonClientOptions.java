package io.xcomposer.inference.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach one inference server and how long calls may take.
 *
 * @param host server host
 * @param port gRPC port (Triton's default is 8001)
 * @param tls TLS with the JVM's trust store instead of plaintext
 * @param unaryDeadline deadline of each unary call unless the request sets one
 * @param generationDeadline deadline of a whole generation stream unless the request sets one
 * @param maxInboundMessageBytes largest response accepted; gRPC's 4 MiB default is too small for embedding tables
 */
public record TritonClientOptions(
        String host,
        int port,
        boolean tls,
        Duration unaryDeadline,
        Duration generationDeadline,
        int maxInboundMessageBytes) {

    public static final Duration DEFAULT_UNARY_DEADLINE = Duration.ofSeconds(30);

    public static final Duration DEFAULT_GENERATION_DEADLINE = Duration.ofSeconds(300);

    public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 64 * 1024 * 1024;

    public TritonClientOptions {
        Objects.requireNonNull(host, "host");
        requirePositive(unaryDeadline, "unaryDeadline");
        requirePositive(generationDeadline, "generationDeadline");
        if (maxInboundMessageBytes <= 0) {
            throw new IllegalArgumentException("maxInboundMessageBytes must be positive");
        }
    }

    /** Plaintext to {@code host:port} with the default deadlines and message size. */
    public static TritonClientOptions of(String host, int port) {
        return new TritonClientOptions(
                host,
                port,
                false,
                DEFAULT_UNARY_DEADLINE,
                DEFAULT_GENERATION_DEADLINE,
                DEFAULT_MAX_INBOUND_MESSAGE_BYTES);
    }

    private static void requirePositive(Duration duration, String name) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration");
        }
    }
}
