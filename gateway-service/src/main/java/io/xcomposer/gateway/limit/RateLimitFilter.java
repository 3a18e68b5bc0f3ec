package io.xcomposer.gateway.limit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.error.ApiExceptionHandler;
import io.xcomposer.common.tracing.Steps;
import io.xcomposer.gateway.auth.ApiKey;
import io.xcomposer.gateway.auth.ApiKeyFilter;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
import io.xcomposer.gateway.web.EdgePolicy;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Per-key request rate (token bucket) on every authenticated call except stream resumes (a client must always be
 * able to pick up a stream it already paid for), and the token budget on the calls that spend model tokens; which
 * route gets which is {@link EdgePolicy}'s table. Answers 429 with {@code Retry-After} and OpenAI's {@code x-ratelimit-*} headers, which also go on every
 * admitted response.
 * <p>
 * Redis down: limits fail <em>open</em> — the request goes through, {@code xcomposer.gateway.redis.failures
 * {operation=ratelimit}} counts it and a warning is logged at most every 10 s. Losing limits briefly is better than
 * losing the API; auth (see {@link ApiKeyFilter}) stays closed.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 40)
public class RateLimitFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(RateLimitFilter.class);

    private final RequestRateLimiter requests;
    private final TokenBudget tokens;
    private final GatewayProperties.Limits defaults;
    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final AtomicLong lastWarning = new AtomicLong();

    public RateLimitFilter(
            RequestRateLimiter requests,
            TokenBudget tokens,
            GatewayProperties properties,
            MeterRegistry meters,
            ObservationRegistry observations) {
        this.requests = requests;
        this.tokens = tokens;
        this.defaults = properties.limits();
        this.meters = meters;
        this.observations = observations;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        EdgePolicy policy = EdgePolicy.of(
                exchange.getRequest().getMethod(),
                exchange.getRequest().getURI().getRawPath());
        ApiKey key = exchange.getAttribute(ApiKeyFilter.ATTRIBUTE);
        if (key == null || !policy.requestRate()) {
            return chain.filter(exchange);
        }
        KeyLimits limits = KeyLimits.of(key, defaults);
        Mono<Void> checks = requestRate(exchange, key, limits);
        if (limits.hasTokenBudget() && policy.tokenBudget()) {
            checks = checks.then(tokenBudget(exchange, key, limits));
        }
        return Steps.observe(checks, "gateway.limits", observations).then(chain.filter(exchange));
    }

    private Mono<Void> requestRate(ServerWebExchange exchange, ApiKey key, KeyLimits limits) {
        return requests.acquire(key.id(), limits.requestsPerMinute(), limits.burst())
                .flatMap(decision -> {
                    // On the response before any rejection: the error handler keeps them on the 429.
                    HttpHeaders headers = exchange.getResponse().getHeaders();
                    headers.set("x-ratelimit-limit-requests", String.valueOf(decision.limit()));
                    headers.set("x-ratelimit-remaining-requests", String.valueOf(decision.remaining()));
                    headers.set("x-ratelimit-reset-requests", resetValue(decision.reset()));
                    if (!decision.allowed()) {
                        meters.counter("xcomposer.gateway.ratelimit.rejections", "limit", "requests")
                                .increment();
                        return Mono.<Void>error(GatewayException.rateLimited(
                                "rate_limit_exceeded",
                                "Rate limit reached for requests: " + limits.requestsPerMinute()
                                        + " per minute. Retry after the time in Retry-After.",
                                decision.retryAfter()));
                    }
                    return Mono.<Void>empty();
                })
                .onErrorResume(error -> !(error instanceof ApiException), this::failOpen);
    }

    private Mono<Void> tokenBudget(ServerWebExchange exchange, ApiKey key, KeyLimits limits) {
        return tokens.check(key.id(), limits.tokensPerMinute())
                .flatMap(state -> {
                    HttpHeaders headers = exchange.getResponse().getHeaders();
                    headers.set("x-ratelimit-limit-tokens", String.valueOf(state.limit()));
                    headers.set("x-ratelimit-remaining-tokens", String.valueOf(state.remaining()));
                    headers.set("x-ratelimit-reset-tokens", resetValue(state.reset()));
                    if (!state.allowed()) {
                        meters.counter("xcomposer.gateway.ratelimit.rejections", "limit", "tokens")
                                .increment();
                        return Mono.<Void>error(GatewayException.rateLimited(
                                "tokens_exceeded",
                                "Token budget reached: " + limits.tokensPerMinute()
                                        + " tokens per minute. Retry after the time in Retry-After.",
                                state.reset()));
                    }
                    return Mono.<Void>empty();
                })
                .onErrorResume(error -> !(error instanceof ApiException), this::failOpen);
    }

    private Mono<Void> failOpen(Throwable redisError) {
        meters.counter("xcomposer.gateway.redis.failures", "operation", "ratelimit")
                .increment();
        long now = System.nanoTime();
        long last = lastWarning.get();
        if (now - last > Duration.ofSeconds(10).toNanos() && lastWarning.compareAndSet(last, now)) {
            log.warn("Redis unreachable, rate limits are not enforced (fail-open): {}", redisError.toString());
        }
        return Mono.empty();
    }

    /** OpenAI writes resets as durations such as "1s" or "6m0s"; seconds with a unit is the readable subset. */
    static String resetValue(Duration reset) {
        long ms = reset.toMillis();
        return ms < 1000 ? ms + "ms" : ApiExceptionHandler.retryAfterSeconds(reset) + "s";
    }
}
