package io.xcomposer.gateway.downstream;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.ChannelOption;
import io.xcomposer.common.security.ServiceToken;
import io.xcomposer.gateway.config.GatewayProperties;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The three downstream services. One connection pool sized for the gateway's stream limit: SSE holds an HTTP/1.1
 * connection per stream, and Reactor Netty's default pool (16 connections, 32 pending) would turn a few hundred
 * concurrent streams into "pending acquire queue full" errors. Each downstream has its own breaker and retry (one
 * {@link DownstreamPolicy}); their state and counts are meters ({@code resilience4j_circuitbreaker_state{name}},
 * {@code resilience4j_circuitbreaker_calls_seconds{kind}}, {@code resilience4j_retry_calls{kind}}).
 */
@Component
public class Downstreams {

    private final Downstream comprehension;
    private final Downstream composition;
    private final Downstream retrieval;

    public Downstreams(
            GatewayProperties properties,
            ServiceToken serviceToken,
            MeterRegistry meters,
            ObservationRegistry observations) {
        GatewayProperties.Http http = properties.http();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(DownstreamPolicy.breaker(http));
        RetryRegistry retries = RetryRegistry.of(DownstreamPolicy.retry(http));
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
        int connections = properties.limits().maxConcurrentStreams() + 256;
        ConnectionProvider pool = ConnectionProvider.builder("downstreams")
                .maxConnections(connections)
                .pendingAcquireMaxCount(connections * 2)
                .pendingAcquireTimeout(http.connectTimeout().multipliedBy(5))
                .build();
        HttpClient httpClient = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        http.connectTimeout().toMillis())
                .keepAlive(true);
        // Non-streamed answers are read whole; embeddings and composition states can be well over 256 KB.
        ExchangeStrategies strategies = ExchangeStrategies.builder()
                .codecs(codecs -> codecs.defaultCodecs()
                        .maxInMemorySize((int) properties.limits().maxBody().toBytes()))
                .build();
        WebClient.Builder base = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                .filter(serviceToken.clientFilter())
                .exchangeStrategies(strategies)
                // An http.client span per call, whose W3C traceparent goes in the request's headers.
                .observationRegistry(observations);
        this.comprehension = new Downstream(
                "comprehension",
                base.clone().baseUrl(properties.comprehensionUrl()).build(),
                breakers.circuitBreaker("comprehension"),
                retries.retry("comprehension"),
                http);
        this.composition = new Downstream(
                "composition",
                base.clone().baseUrl(properties.compositionUrl()).build(),
                breakers.circuitBreaker("composition"),
                retries.retry("composition"),
                http);
        this.retrieval = new Downstream(
                "retrieval",
                base.clone().baseUrl(properties.retrievalUrl()).build(),
                breakers.circuitBreaker("retrieval"),
                retries.retry("retrieval"),
                http);
    }

    public Downstream comprehension() {
        return comprehension;
    }

    public Downstream composition() {
        return composition;
    }

    public Downstream retrieval() {
        return retrieval;
    }
}
