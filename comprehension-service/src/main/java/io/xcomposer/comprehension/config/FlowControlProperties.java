package io.xcomposer.comprehension.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Admission of generations ({@code xcomposer.comprehension.flow.*}): at most {@code maxConcurrent} run, at most
 * {@code maxQueued} wait; beyond that, or after waiting {@code queueTimeout}, the answer is 503 with
 * {@code Retry-After: retryAfter}.
 *
 * @param maxConcurrent generations streaming from the model server at once (match the server's limit)
 * @param maxQueued requests waiting for a slot
 * @param queueTimeout longest wait for a slot
 * @param retryAfter the back-off suggested to refused clients
 */
@ConfigurationProperties(FlowControlProperties.PREFIX)
public record FlowControlProperties(
        @DefaultValue("4") int maxConcurrent,
        @DefaultValue("16") int maxQueued,
        @DefaultValue("30s") Duration queueTimeout,
        @DefaultValue("2s") Duration retryAfter) {

    public static final String PREFIX = "xcomposer.comprehension.flow";

    public FlowControlProperties {
        if (maxConcurrent < 1 || maxQueued < 0) {
            throw new IllegalArgumentException("flow.max-concurrent must be ≥ 1 and flow.max-queued ≥ 0");
        }
    }
}
