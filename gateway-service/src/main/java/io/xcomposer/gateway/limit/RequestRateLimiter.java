package io.xcomposer.gateway.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Per-key request token bucket (capacity {@code burst}, refilled greedily at {@code requests-per-minute}), kept by
 * bucket4j in Redis with compare-and-swap, so all gateway instances share one bucket per key. The bucket's clock is
 * the gateway's (keep instances on NTP: a skew of s seconds lends at most s × rate extra requests). Each bucket
 * expires once it would be full again, so idle keys leave nothing behind.
 * <p>
 * Requests of one key that arrive together are batched into one compare-and-swap (bucket4j's batching
 * optimization, which lives in the bucket proxy, hence the bounded cache of proxies): without it, hundreds of
 * concurrent requests of one key lose the swap to each other and retry, and opening 1 000 streams at once stalled.
 */
@Component
public class RequestRateLimiter {

    /** How long a full bucket is kept after it refilled (a bucket recreated full behaves the same). */
    private static final Duration KEEP_WHEN_FULL = Duration.ofSeconds(10);

    /** Keys are {@code byte[]} (see {@link SharedLettuceConnection}). */
    private final AsyncProxyManager<Object> buckets;

    private final Cache<String, AsyncBucketProxy> proxies = Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterAccess(Duration.ofMinutes(10))
            .build();

    public RequestRateLimiter(LettuceConnectionFactory redis) {
        this.buckets = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<>(new SharedLettuceConnection(redis))
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_WHEN_FULL))
                .build()
                .asAsync();
    }

    /**
     * Takes one request from {@code keyId}'s bucket.
     *
     * @param requestsPerMinute steady rate
     * @param burst bucket capacity
     */
    public Mono<Decision> acquire(String keyId, int requestsPerMinute, int burst) {
        // The limits are part of the key: a changed default or per-key rate starts a fresh bucket.
        String key = "xc:rl:{" + keyId + "}:" + requestsPerMinute + ":" + burst;
        return Mono.defer(() -> Mono.fromFuture(proxies.get(key, name -> bucket(name, requestsPerMinute, burst))
                        .tryConsumeAndReturnRemaining(1)))
                .map(probe -> decision(probe, burst));
    }

    private AsyncBucketProxy bucket(String key, int requestsPerMinute, int burst) {
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(requestsPerMinute, Duration.ofMinutes(1)))
                .build();
        return buckets.builder()
                .withOptimization(Optimizations.batching())
                .build(key.getBytes(StandardCharsets.UTF_8), configuration);
    }

    private static Decision decision(ConsumptionProbe probe, long burst) {
        return new Decision(
                probe.isConsumed(),
                burst,
                probe.getRemainingTokens(),
                Duration.ofNanos(probe.getNanosToWaitForRefill()),
                Duration.ofNanos(probe.getNanosToWaitForReset()));
    }

    /**
     * @param allowed whether the request may go on
     * @param limit bucket capacity (x-ratelimit-limit-requests)
     * @param remaining requests left right now
     * @param retryAfter wait until one request is available (when not allowed)
     * @param reset time until the bucket is full again
     */
    public record Decision(boolean allowed, long limit, long remaining, Duration retryAfter, Duration reset) {}
}
