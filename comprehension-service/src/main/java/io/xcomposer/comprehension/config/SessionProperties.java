package io.xcomposer.comprehension.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Conversations kept in Redis ({@code xcomposer.comprehension.sessions.*}).
 *
 * @param ttl idle lifetime of a conversation; every turn renews it
 * @param maxTurns turns kept per conversation; older ones are dropped (prompts are trimmed further to fit the
 * context)
 */
@ConfigurationProperties(SessionProperties.PREFIX)
public record SessionProperties(
        @DefaultValue("1h") Duration ttl,
        @DefaultValue("50") int maxTurns) {

    public static final String PREFIX = "xcomposer.comprehension.sessions";
}
