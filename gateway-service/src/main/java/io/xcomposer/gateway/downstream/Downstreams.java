package io.xcomposer.gateway.downstream;

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
 * concurrent streams into "pending acquire queue full" errors.
 */
@Component
public class Downstreams {

    private final Downstream comprehension;
    private final Downstream composition;
    private final Downstream retrieval;

    public Downstreams(GatewayProperties properties, ServiceToken serviceToken) {
        GatewayProperties.Http http = properties.http();
        int connections = properties.limits().maxConcurrentStreams() + 256;
        ConnectionProvider pool = ConnectionProvider.builder("downstreams")
                .maxConnections(connections)
                .pendingAcquireMaxCount(connections * 2)
                .pendingAcquireTimeout(http.connectTimeout().multipliedBy(5))
                .build();
        HttpClient httpClient = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) http.connectTimeout().toMillis())
                .keepAlive(true);
        // Non-streamed answers are read whole; embeddings and composition states can be well over 256 KB.
        ExchangeStrategies strategies = ExchangeStrategies.builder()
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize((int) properties.limits().maxBody().toBytes()))
                .build();
        WebClient.Builder base = WebClient.builder()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                .filter(serviceToken.clientFilter())
                .exchangeStrategies(strategies);
        this.comprehension = create("comprehension", properties.comprehensionUrl(), base, http);
        this.composition = create("composition", properties.compositionUrl(), base, http);
        this.retrieval = create("retrieval", properties.retrievalUrl(), base, http);
    }

    private static Downstream create(String name, String url, WebClient.Builder base, GatewayProperties.Http http) {
        return new Downstream(name, base.clone().baseUrl(url).build(),
                new CircuitBreaker(name, http.breakerFailures(), http.breakerOpenFor()), http);
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
