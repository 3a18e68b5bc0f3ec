package io.xcomposer.gateway.limit;

import java.time.Duration;
import java.time.Instant;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Usage tokens per key per fixed one-minute window ({@code xc:tb:{key}:{minute}}). Requests are admitted while the
 * window's count is under the budget and charged afterwards from the real {@code usage} the downstream reports
 * (non-streamed body or the stream's usage chunk), so one large request may overshoot once; the next is refused
 * until the window rolls over.
 */
@Component
public class TokenBudget {

    private final ReactiveStringRedisTemplate redis;

    public TokenBudget(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    public Mono<State> check(String keyId, long budget) {
        Instant now = Instant.now();
        return redis.opsForValue()
                .get(windowKey(keyId, now))
                .map(Long::parseLong)
                .defaultIfEmpty(0L)
                .map(used -> new State(budget, Math.max(0, budget - used), used < budget, untilNextWindow(now)));
    }

    public Mono<Long> charge(String keyId, long tokens) {
        String key = windowKey(keyId, Instant.now());
        return redis.opsForValue()
                .increment(key, tokens)
                .flatMap(total -> redis.expire(key, Duration.ofMinutes(2)).thenReturn(total));
    }

    private static String windowKey(String keyId, Instant now) {
        return "xc:tb:{" + keyId + "}:" + now.getEpochSecond() / 60;
    }

    private static Duration untilNextWindow(Instant now) {
        long ms = now.toEpochMilli();
        return Duration.ofMillis(60_000 - ms % 60_000);
    }

    /**
     * @param limit tokens per window
     * @param remaining tokens left in this window
     * @param allowed whether a new request may start
     * @param reset time until the window rolls over
     */
    public record State(long limit, long remaining, boolean allowed, Duration reset) {}
}
