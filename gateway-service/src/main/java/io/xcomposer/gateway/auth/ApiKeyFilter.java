package io.xcomposer.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.tracing.Steps;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
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
 * Authenticates every request by {@link AccessPolicy} (default-deny, decided on the normalized path before any
 * routing): public paths pass, admin paths need the {@link AdminToken}, everything else an API key, sent as
 * {@code Authorization: Bearer <key>} (or {@code api-key}/{@code x-api-key}, which some clients send). Missing, unknown and revoked keys get 401.
 * <p>
 * Redis down: auth fails <em>closed</em> except for keys this instance validated within
 * {@code limits.auth-cache-ttl} — those keep working, so a Redis blip does not take every client down, while an
 * unknown key is never let in (503 {@code auth_unavailable} with Retry-After, not 401: the key may well be valid).
 * The cache is consulted only when Redis fails, so a revocation takes effect at once while Redis is up.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 30)
public class ApiKeyFilter implements WebFilter {

    public static final String ATTRIBUTE = ApiKeyFilter.class.getName() + ".key";
    private static final Logger log = LoggerFactory.getLogger(ApiKeyFilter.class);
    private static final int CACHE_MAX = 10_000;

    private final ApiKeyStore store;
    private final AdminToken adminToken;
    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    /** Keys by secret hash, as last validated against Redis; read only while Redis fails. */
    private final Cache<String, ApiKey> lastSeenValid;

    public ApiKeyFilter(
            ApiKeyStore store,
            AdminToken adminToken,
            GatewayProperties properties,
            MeterRegistry meters,
            ObservationRegistry observations) {
        this.store = store;
        this.adminToken = adminToken;
        this.meters = meters;
        this.observations = observations;
        this.lastSeenValid = Caffeine.newBuilder()
                .maximumSize(CACHE_MAX)
                .expireAfterWrite(properties.limits().authCacheTtl())
                .build();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // CORS preflights never get here: CorsWebFilter answers them itself.
        AccessPolicy.Access access = AccessPolicy.decide(
                exchange.getRequest().getMethod(),
                exchange.getRequest().getURI().getRawPath());
        if (access == AccessPolicy.Access.PUBLIC) {
            return chain.filter(exchange);
        }
        if (access == AccessPolicy.Access.ADMIN) {
            return Mono.fromRunnable(
                            () -> adminToken.check(exchange.getRequest().getHeaders()))
                    .then(Mono.defer(() -> chain.filter(exchange)));
        }
        String secret = secretOf(exchange.getRequest().getHeaders());
        if (secret == null) {
            return Mono.error(GatewayException.unauthorized(
                    "missing_api_key", "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."));
        }
        Mono<ApiKey> valid = lookup(secret)
                .switchIfEmpty(Mono.error(
                        () -> GatewayException.unauthorized("invalid_api_key", "Incorrect API key provided.")))
                .flatMap(key -> key.revoked()
                        ? Mono.error(GatewayException.unauthorized("invalid_api_key", "This API key has been revoked."))
                        : Mono.just(key));
        return Steps.observe(valid, "gateway.auth", observations).flatMap(key -> {
            exchange.getAttributes().put(ATTRIBUTE, key);
            return chain.filter(exchange);
        });
    }

    private Mono<ApiKey> lookup(String secret) {
        return store.findBySecret(secret)
                .doOnNext(key -> remember(secret, key))
                .onErrorResume(error -> !(error instanceof ApiException), error -> fromCache(secret, error));
    }

    private Mono<ApiKey> fromCache(String secret, Throwable redisError) {
        meters.counter("xcomposer.gateway.redis.failures", "operation", "auth").increment();
        ApiKey cached = lastSeenValid.getIfPresent(ApiKeyStore.sha256(secret));
        if (cached != null) {
            log.warn(
                    "Redis unreachable ({}); accepting key {} from the auth cache", redisError.toString(), cached.id());
            return Mono.just(cached);
        }
        log.warn("Redis unreachable ({}); rejecting a key not validated recently", redisError.toString());
        return Mono.error(GatewayException.unavailable(
                "auth_unavailable", "API keys cannot be checked right now; retry shortly.", Duration.ofSeconds(5)));
    }

    private void remember(String secret, ApiKey key) {
        lastSeenValid.put(ApiKeyStore.sha256(secret), key);
    }

    static @Nullable String secretOf(HttpHeaders headers) {
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = authorization.substring(7).trim();
            return token.isEmpty() ? null : token;
        }
        String apiKey = headers.getFirst("api-key");
        if (apiKey == null) {
            apiKey = headers.getFirst("x-api-key");
        }
        return apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
    }

    public static ApiKey keyOf(ServerWebExchange exchange) {
        ApiKey key = exchange.getAttribute(ATTRIBUTE);
        if (key == null) {
            throw new IllegalStateException(
                    "ApiKeyFilter did not run for " + exchange.getRequest().getPath());
        }
        return key;
    }
}
