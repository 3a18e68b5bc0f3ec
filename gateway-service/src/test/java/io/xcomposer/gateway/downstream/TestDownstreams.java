package io.xcomposer.gateway.downstream;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.xcomposer.gateway.config.GatewayProperties;
import java.time.Duration;
import org.springframework.web.reactive.function.client.WebClient;

/** A {@link Downstream} to one URL with the given edge settings, for tests outside this package too. */
public final class TestDownstreams {

    /** Short timeouts and a 1 s breaker wait: what the policy tests need to see each rule act quickly. */
    public static final GatewayProperties.Http HTTP = new GatewayProperties.Http(
            Duration.ofSeconds(2),
            Duration.ofMillis(300),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            2,
            10,
            5,
            50,
            Duration.ofSeconds(1),
            3,
            Duration.ofSeconds(10));

    private TestDownstreams() {}

    public static Downstream to(String url) {
        return to(url, HTTP);
    }

    public static Downstream to(String url, GatewayProperties.Http http) {
        return new Downstream(
                "test",
                WebClient.builder().baseUrl(url).build(),
                CircuitBreakerRegistry.of(DownstreamPolicy.breaker(http)).circuitBreaker("test"),
                RetryRegistry.of(DownstreamPolicy.retry(http)).retry("test"),
                http);
    }
}
