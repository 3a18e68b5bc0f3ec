package io.xcomposer.gateway.limit;

import java.time.Duration;
import java.util.List;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/** Per-key request token bucket, one Lua call per request (see {@code scripts/token_bucket.lua}). */
@Component
public class RequestRateLimiter {

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> SCRIPT =
            RedisScript.of(new ClassPathResource("scripts/token_bucket.lua"), List.class);

    private final ReactiveStringRedisTemplate redis;

    public RequestRateLimiter(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    /**
     * Takes one request from {@code keyId}'s bucket.
     *
     * @param requestsPerMinute steady rate
     * @param burst bucket capacity
     */
    public Mono<Decision> acquire(String keyId, int requestsPerMinute, int burst) {
        double rate = requestsPerMinute / 60.0;
        List<String> keys = List.of("xc:rl:{" + keyId + "}:tokens", "xc:rl:{" + keyId + "}:ts");
        return redis.execute(SCRIPT, keys, List.of(Double.toString(rate), Integer.toString(burst), "1"))
                .next()
                .map(reply -> {
                    List<?> values = (List<?>) reply;
                    boolean allowed = "1".equals(values.get(0).toString());
                    long remaining =
                            (long) Math.floor(Double.parseDouble(values.get(1).toString()));
                    Duration retry = seconds(values.get(2));
                    Duration reset = seconds(values.get(3));
                    return new Decision(allowed, burst, remaining, retry, reset);
                });
    }

    private static Duration seconds(Object value) {
        return Duration.ofMillis((long) Math.ceil(Double.parseDouble(value.toString()) * 1000));
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
