package io.xcomposer.common.web.config;

import org.springframework.boot.autoconfigure.AutoConfigurationImportFilter;
import org.springframework.boot.autoconfigure.AutoConfigurationMetadata;

/**
 * Keeps Spring Boot from switching Lettuce to {@code MicrometerTracing} (a span per Redis command), which it does
 * once Micrometer Tracing is on the classpath. With it, requests hung after Lettuce reconnected to a restarted
 * Redis: comprehension's {@code RedisOutageIntegrationTests} saw every chat after "Reconnected" go unanswered until
 * shutdown, and the gateway's key checks during an outage waited ~10 s (docs/reliability.md). The platform's own
 * spans (auth, limits, prompt plan, encode, generate, composition steps) do not need per-command Redis spans, and
 * the Redis meters stay. Registered in META-INF/spring.factories, so every service that uses platform-web gets it.
 */
public final class NoRedisCommandTracing implements AutoConfigurationImportFilter {

    static final String LETTUCE_OBSERVATION =
            "org.springframework.boot.data.redis.autoconfigure.observation.LettuceObservationAutoConfiguration";

    @Override
    public boolean[] match(String[] autoConfigurationClasses, AutoConfigurationMetadata metadata) {
        boolean[] matches = new boolean[autoConfigurationClasses.length];
        for (int i = 0; i < autoConfigurationClasses.length; i++) {
            matches[i] = !LETTUCE_OBSERVATION.equals(autoConfigurationClasses[i]);
        }
        return matches;
    }
}
