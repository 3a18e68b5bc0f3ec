package io.xcomposer.inference.client.config;

import io.xcomposer.inference.client.TritonClientOptions;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where the inference server is and how long calls may take. Switching the tiny CPU server for a real Triton
 * changes only {@code host} and {@code port}.
 *
 * @param host inference server host
 * @param port gRPC port
 * @param tls use TLS (JVM trust store) instead of plaintext
 * @param unaryDeadline deadline of each unary call (readiness, config, vision encoder, embedders)
 * @param generationDeadline deadline of a whole generation stream
 * @param maxInboundMessageSize largest response accepted; image embeddings of the 7B model exceed gRPC's 4 MB default
 * @param readyTimeout how long services wait at start-up for the server and their models
 * ({@code TritonClient.awaitReady})
 */
@ConfigurationProperties(InferenceClientProperties.PREFIX)
public record InferenceClientProperties(
        @DefaultValue("127.0.0.1") String host,
        @DefaultValue("8001") int port,
        @DefaultValue("false") boolean tls,
        @DefaultValue("30s") Duration unaryDeadline,
        @DefaultValue("300s") Duration generationDeadline,
        @DefaultValue("64MB") DataSize maxInboundMessageSize,
        @DefaultValue("60s") Duration readyTimeout) {

    public static final String PREFIX = "xcomposer.inference";

    public TritonClientOptions toOptions() {
        return new TritonClientOptions(
                this.host,
                this.port,
                this.tls,
                this.unaryDeadline,
                this.generationDeadline,
                Math.toIntExact(this.maxInboundMessageSize.toBytes()));
    }
}
