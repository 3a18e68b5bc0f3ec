package io.xcomposer.common.web.config;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.Delay;
import io.xcomposer.common.redis.RedisFailFastProperties;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * Lettuce tuned to fail fast ({@link RedisFailFastProperties}): while disconnected, commands are rejected at once
 * instead of queued until a reconnect (which made requests hang for the 60 s command timeout); every command and
 * connect is bounded; reconnects are attempted at least every {@code reconnect-max-delay}, so service resumes
 * within about a second of Redis returning. The rejections surface as 503 {@code redis_unavailable}
 * ({@link io.xcomposer.common.error.ApiErrors}).
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass(ClientOptions.class)
@EnableConfigurationProperties(RedisFailFastProperties.class)
public class RedisFailFastAutoConfiguration {

    private static final Duration FIRST_RECONNECT_DELAY = Duration.ofMillis(50);

    @Bean
    LettuceClientOptionsBuilderCustomizer failFastClientOptions(RedisFailFastProperties properties) {
        return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .autoReconnect(true)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(properties.connectTimeout())
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(properties.commandTimeout()));
    }

    @Bean
    LettuceClientConfigurationBuilderCustomizer failFastCommandTimeout(RedisFailFastProperties properties) {
        return builder -> builder.commandTimeout(properties.commandTimeout());
    }

    @Bean
    ClientResourcesBuilderCustomizer failFastReconnects(RedisFailFastProperties properties) {
        return resources -> resources.reconnectDelay(
                Delay.exponential(FIRST_RECONNECT_DELAY, properties.reconnectMaxDelay(), 2, TimeUnit.MILLISECONDS));
    }
}
