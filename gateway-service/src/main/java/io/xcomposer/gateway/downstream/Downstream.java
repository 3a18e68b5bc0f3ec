package io.xcomposer.gateway.downstream;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One downstream service: its WebClient plus the edge policies every call gets — a Resilience4j circuit breaker, a
 * deadline for the response headers, and retries <em>only before the first byte</em> (connection refused): after
 * headers arrive nothing is ever re-sent, so a generation is never run twice. What counts as a fault, and what is
 * retried, is {@link DownstreamPolicy}'s call.
 */
public final class Downstream {

    private final String name;
    private final WebClient client;
    private final CircuitBreaker breaker;
    private final Retry retry;
    private final GatewayProperties.Http http;

    Downstream(String name, WebClient client, CircuitBreaker breaker, Retry retry, GatewayProperties.Http http) {
        this.name = name;
        this.client = client;
        this.breaker = breaker;
        this.retry = retry;
        this.http = http;
    }

    /**
     * Sends a request and completes when the response headers arrived (status 2xx/3xx); error statuses become
     * {@link DownstreamStatusException} with the body read. The returned body publisher is not yet subscribed.
     * Each attempt passes the breaker on its own, so a refused connection counts once per attempt.
     */
    public <T> Mono<ResponseEntity<Flux<T>>> exchange(
            HttpMethod method,
            String pathAndQuery,
            Consumer<HttpHeaders> headers,
            byte[] body,
            ParameterizedTypeReference<T> bodyType) {
        Mono<ResponseEntity<Flux<T>>> attempt = Mono.defer(() -> {
            WebClient.RequestBodySpec spec =
                    client.method(method).uri(pathAndQuery).headers(headers);
            WebClient.RequestHeadersSpec<?> withBody =
                    body.length == 0 && method == HttpMethod.GET ? spec : spec.body(BodyInserters.fromValue(body));
            return withBody.retrieve()
                    .onStatus(HttpStatusCode::isError, Downstream::toStatusException)
                    .toEntityFlux(bodyType)
                    .timeout(http.firstByteTimeout());
        });
        return attempt.transformDeferred(CircuitBreakerOperator.of(breaker))
                .transformDeferred(RetryOperator.of(retry))
                .onErrorMap(this::toClientError);
    }

    public String name() {
        return name;
    }

    public CircuitBreaker breaker() {
        return breaker;
    }

    public GatewayProperties.Http http() {
        return http;
    }

    private Throwable toClientError(Throwable error) {
        if (error instanceof CallNotPermittedException) {
            // Retry-After: the breaker's wait in open state, after which it lets trial calls through.
            return GatewayException.unavailable(
                    "upstream_circuit_open",
                    "The " + name + " service is failing; retry later.",
                    http.breakerOpenFor());
        }
        if (error instanceof TimeoutException) {
            return GatewayException.timeout("The " + name + " service did not answer in time.");
        }
        if (error instanceof WebClientRequestException) {
            return GatewayException.unavailable(
                    "upstream_unavailable", "The " + name + " service is unreachable.", Duration.ofSeconds(2));
        }
        return error;
    }

    private static Mono<Throwable> toStatusException(ClientResponse response) {
        return response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map(body -> new DownstreamStatusException(
                        response.statusCode(), response.headers().asHttpHeaders(), body));
    }
}
