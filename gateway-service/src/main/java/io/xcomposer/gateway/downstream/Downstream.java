package io.xcomposer.gateway.downstream;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
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
import reactor.util.retry.Retry;

/**
 * One downstream service: its WebClient plus the edge policies every call gets — circuit breaker, a deadline for the
 * response headers, and retries <em>only before the first byte</em> (connection refused, or a 503 the service sent
 * before doing anything): after headers arrive nothing is ever re-sent, so a generation is never run twice.
 */
public final class Downstream {

    private final String name;
    private final WebClient client;
    private final CircuitBreaker breaker;
    private final GatewayProperties.Http http;

    Downstream(String name, WebClient client, CircuitBreaker breaker, GatewayProperties.Http http) {
        this.name = name;
        this.client = client;
        this.breaker = breaker;
        this.http = http;
    }

    /**
     * Sends a request and completes when the response headers arrived (status 2xx/3xx); error statuses become
     * {@link DownstreamStatusException} with the body read. The returned body publisher is not yet subscribed.
     */
    public <T> Mono<ResponseEntity<Flux<T>>> exchange(HttpMethod method, String pathAndQuery,
            Consumer<HttpHeaders> headers, byte[] body, ParameterizedTypeReference<T> bodyType) {
        Mono<ResponseEntity<Flux<T>>> attempt = Mono.defer(() -> {
            if (!breaker.tryAcquire()) {
                return Mono.error(GatewayException.unavailable("upstream_circuit_open",
                        "The " + name + " service is failing; retry later.", breaker.retryAfter()));
            }
            WebClient.RequestBodySpec spec = client.method(method).uri(pathAndQuery).headers(headers);
            WebClient.RequestHeadersSpec<?> withBody = body.length == 0 && method == HttpMethod.GET ? spec
                    : spec.body(BodyInserters.fromValue(body));
            return withBody.retrieve()
                    .onStatus(HttpStatusCode::isError, Downstream::toStatusException)
                    .toEntityFlux(bodyType)
                    .timeout(http.firstByteTimeout())
                    .doOnNext(ok -> breaker.onSuccess())
                    .doOnError(this::record)
                    .doOnCancel(breaker::onIgnored);
        });
        return attempt
                .retryWhen(Retry.backoff(http.retries(), Duration.ofMillis(100))
                        .maxBackoff(Duration.ofSeconds(1))
                        .filter(Downstream::retryable)
                        .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
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

    private void record(Throwable error) {
        if (error instanceof DownstreamStatusException status && status.status().is4xxClientError()) {
            breaker.onSuccess(); // the service is healthy, the request was not
        } else if (!(error instanceof ApiException)) {
            breaker.onFailure();
        }
    }

    private static boolean retryable(Throwable error) {
        if (error instanceof DownstreamStatusException status) {
            return status.status().value() == 503;
        }
        return error instanceof WebClientRequestException request && request.getCause() instanceof ConnectException;
    }

    private Throwable toClientError(Throwable error) {
        if (error instanceof TimeoutException) {
            return GatewayException.timeout("The " + name + " service did not answer in time.");
        }
        if (error instanceof WebClientRequestException) {
            return GatewayException.unavailable("upstream_unavailable", "The " + name + " service is unreachable.",
                    Duration.ofSeconds(2));
        }
        return error;
    }

    private static Mono<Throwable> toStatusException(ClientResponse response) {
        return response.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map(body -> new DownstreamStatusException(response.statusCode(), response.headers().asHttpHeaders(),
                        body));
    }
}
