package io.xcomposer.gateway.config;

import io.lettuce.core.ClientOptions;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Redis client behaviour for an outage. Lettuce's default queues commands while it reconnects, so every request
 * would hang for the command timeout; the gateway instead wants an immediate error, on which auth falls back to
 * its cache and limits fail open (see README, "When Redis is down").
 */
@Configuration(proxyBeanMethods = false)
public class RedisConfig {

    @Bean
    LettuceClientOptionsBuilderCustomizer failFastWhenDisconnected() {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
    }
}
