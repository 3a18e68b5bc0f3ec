package io.xcomposer.common.redis;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long a service waits for Redis before it answers 503 ({@code xcomposer.redis.*}). These replace
 * {@code spring.data.redis.timeout} and {@code connect-timeout}: Lettuce's defaults (60 s per command, commands
 * queued while disconnected, reconnects backing off to 30 s) made every request hang for a minute while Redis was
 * down and recover slowly after it returned.
 *
 * @param commandTimeout longest wait for one Redis command
 * @param connectTimeout longest wait for a connection to Redis
 * @param reconnectMaxDelay longest pause between two reconnect attempts once Redis is gone
 */
@ConfigurationProperties(RedisFailFastProperties.PREFIX)
public record RedisFailFastProperties(
        @DefaultValue("2s") Duration commandTimeout,
        @DefaultValue("2s") Duration connectTimeout,
        @DefaultValue("500ms") Duration reconnectMaxDelay) {

    public static final String PREFIX = "xcomposer.redis";
}
