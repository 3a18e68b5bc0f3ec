package io.xcomposer.comprehension.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The vision-feature cache in Redis ({@code xcomposer.comprehension.feature-cache.*}). Entries expire after
 * {@code ttl} (renewed on every hit), so with Redis {@code maxmemory-policy volatile-lru} or {@code allkeys-lru}
 * the cache stays bounded and least-recently-used features go first.
 *
 * @param ttl lifetime of an entry since its last use
 * @param maxEntryBytes features larger than this are not cached (the 7B encoder's are 66 × 4096 × 4 ≈ 1 MiB)
 */
@ConfigurationProperties(FeatureCacheProperties.PREFIX)
public record FeatureCacheProperties(
        @DefaultValue("1h") Duration ttl,
        @DefaultValue("4MB") DataSize maxEntryBytes) {

    public static final String PREFIX = "xcomposer.comprehension.feature-cache";
}
