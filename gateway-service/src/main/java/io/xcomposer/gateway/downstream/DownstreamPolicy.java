package io.xcomposer.gateway.downstream;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import io.xcomposer.gateway.config.GatewayProperties;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * What the gateway counts as a downstream fault and what it retries, as Resilience4j configurations.
 * <ul>
 * <li><b>Faults</b> (counted by the breaker): connect errors and other transport failures before the headers, no
 * headers within {@code http.first-byte-timeout}, and 5xx answers other than 503.</li>
 * <li><b>Load shedding</b> (ignored by the breaker, never retried, passed on as is): 429 and 503. A service that
 * says "not now, retry after n s" is healthy and doing its job; counting that as failure opened the breaker under
 * plain overload and turned honest 503s into {@code upstream_circuit_open} for callers it had room for. A retry
 * sooner than the service's {@code Retry-After} would only add load, so the client gets the answer and the header.</li>
 * <li><b>Other 4xx</b>: the service worked, the request was bad; they count as successes.</li>
 * <li><b>Retries</b>: only a refused connection (the request never reached the service), with a short backoff.</li>
 * </ul>
 * The breaker opens when at least half of the last {@code breaker-window} calls (and at least
 * {@code breaker-minimum-calls}) were faults, stays open for only {@code breaker-open-for} (1 s by default, so it
 * adds at most about that to the recovery after an outage) and then lets {@code breaker-half-open-calls} trial
 * calls through; their outcome closes or re-opens it.
 */
final class DownstreamPolicy {

    private DownstreamPolicy() {}

    static CircuitBreakerConfig breaker(GatewayProperties.Http http) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(http.breakerWindow())
                .minimumNumberOfCalls(http.breakerMinimumCalls())
                .failureRateThreshold((float) http.breakerFailureRate())
                .waitDurationInOpenState(http.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(http.breakerHalfOpenCalls())
                // Trial calls may be long streams' first bytes; a half-open breaker must not wait on them forever.
                .maxWaitDurationInHalfOpenState(http.breakerOpenFor().multipliedBy(5))
                .recordException(DownstreamPolicy::isFault)
                .ignoreException(DownstreamPolicy::isLoadShedding)
                .build();
    }

    static RetryConfig retry(GatewayProperties.Http http) {
        return RetryConfig.custom()
                .maxAttempts(http.retries() + 1)
                .intervalFunction(
                        IntervalFunction.ofExponentialBackoff(Duration.ofMillis(100), 2, Duration.ofSeconds(1)))
                .retryOnException(DownstreamPolicy::isRetryable)
                .failAfterMaxAttempts(false)
                .build();
    }

    /** A fault of the service or of the way to it, as opposed to an answer it chose to give. */
    static boolean isFault(Throwable error) {
        if (error instanceof DownstreamStatusException status) {
            return status.status().is5xxServerError() && !isLoadShedding(error);
        }
        return error instanceof WebClientRequestException || error instanceof TimeoutException;
    }

    /** 429 or 503: the service is up and shedding load; its Retry-After is the client's to honour. */
    static boolean isLoadShedding(Throwable error) {
        return error instanceof DownstreamStatusException status
                && (status.status().value() == 429 || status.status().value() == 503);
    }

    /** Only a refused connection is certainly unsent; anything later may have started work downstream. */
    static boolean isRetryable(Throwable error) {
        return error instanceof WebClientRequestException request && request.getCause() instanceof ConnectException;
    }
}
