package io.xcomposer.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.gateway.support.TestRedisConnections;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import reactor.core.publisher.Flux;

/** The request buckets against a real redis-server: the 429 arithmetic, and one key's burst of concurrent requests. */
class RequestRateLimiterIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static LettuceConnectionFactory connections;
    private static RequestRateLimiter limiter;

    @BeforeAll
    static void connect() {
        RedisServerProcess redis = RedisServerProcess.shared();
        connections = TestRedisConnections.connect(redis);
        limiter = new RequestRateLimiter(connections);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Test
    void acquire_allowsTheBurst_thenRefusesWithTheWaitForOneRequest() {
        String key = "key_" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            RequestRateLimiter.Decision decision = limiter.acquire(key, 3, 3).block(TIMEOUT);
            assertThat(decision.allowed()).isTrue();
            assertThat(decision.limit()).isEqualTo(3);
            assertThat(decision.remaining()).isEqualTo(2 - i);
        }
        RequestRateLimiter.Decision refused = limiter.acquire(key, 3, 3).block(TIMEOUT);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        // 3 per minute refill one request every 20 s, all three in 60 s, less the time the four calls took (up to
        // seconds on a loaded machine).
        assertThat(refused.retryAfter()).isBetween(Duration.ofSeconds(15), Duration.ofSeconds(20));
        assertThat(refused.reset()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(60));
        assertThat(limiter.acquire("key_" + UUID.randomUUID(), 3, 3)
                        .block(TIMEOUT)
                        .allowed())
                .as("another key has its own bucket")
                .isTrue();
    }

    /** Redis away: each request fails at once (the filter then fails open); once it is back, buckets work again. */
    @Test
    void whileRedisIsDown_requestsFail_andAfterItReturnsTheBucketsWork() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            LettuceConnectionFactory own = TestRedisConnections.connect(redis);
            try {
                RequestRateLimiter ownLimiter = new RequestRateLimiter(own);
                String key = "key_" + UUID.randomUUID();
                assertThat(ownLimiter.acquire(key, 60, 5).block(TIMEOUT).remaining())
                        .isEqualTo(4);

                redis.kill();
                assertThatThrownBy(() -> ownLimiter.acquire(key, 60, 5).block(TIMEOUT))
                        .isNotNull();

                redis.restart();
                RequestRateLimiter.Decision after = null;
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (after == null && System.nanoTime() < deadline) {
                    try {
                        after = ownLimiter.acquire(key, 60, 5).block(TIMEOUT);
                    } catch (RuntimeException stillReconnecting) {
                        Thread.sleep(100);
                    }
                }
                assertThat(after)
                        .as("an answer within %s of Redis' return", TIMEOUT)
                        .isNotNull();
                assertThat(after.allowed()).isTrue();
            } finally {
                own.destroy();
            }
        }
    }

    /** 1 000 streams opened at once with one key stalled while each request raced the others for the bucket. */
    @Test
    void oneKeysConcurrentRequests_allGetAnAnswerQuickly_andEachTakesOneToken() {
        String key = "key_" + UUID.randomUUID();
        int requests = 1000;
        long start = System.nanoTime();
        List<RequestRateLimiter.Decision> decisions = Flux.range(0, requests)
                .flatMap(i -> limiter.acquire(key, 60, 600), requests)
                .collectList()
                .block(Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(decisions).hasSize(requests);
        assertThat(decisions.stream().filter(RequestRateLimiter.Decision::allowed))
                .as("the burst, no more (60/min refills about one more in a second)")
                .hasSizeBetween(600, 602);
        assertThat(took).as("answered within %s", took).isLessThan(Duration.ofSeconds(5));
    }
}
