package io.xcomposer.gateway.limit;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
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
 */
@Component
public class RequestRateLimiter {

    /** How long a full bucket is kept after it refilled (a bucket recreated full behaves the same). */
    private static final Duration KEEP_WHEN_FULL = Duration.ofSeconds(10);

    /** Keys are {@code byte[]} (see {@link SharedLettuceConnection}). */
    private final AsyncProxyManager<Object> buckets;

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
        BucketConfiguration configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(burst).refillGreedy(requestsPerMinute, Duration.ofMinutes(1)))
                .build();
        // The limits are part of the key: a changed default or per-key rate starts a fresh bucket.
        byte[] key = ("xc:rl:{" + keyId + "}:" + requestsPerMinute + ":" + burst).getBytes(StandardCharsets.UTF_8);
        return Mono.defer(() -> Mono.fromFuture(
                        buckets.builder().build(key, configuration).tryConsumeAndReturnRemaining(1)))
                .map(probe -> decision(probe, burst));
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
