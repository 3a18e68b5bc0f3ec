package io.xcomposer.gateway.catalog;

import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.Downstreams;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The served models' limits as comprehension-service reads them from the model repository ({@code GET /v1/models}
 * there): {@code context_length} by model id. One source for the number: the gateway configures which models it
 * lists, never how long their context is. Read at most every {@link #FRESH_FOR} and bounded by
 * {@link #WAIT_AT_MOST}; when comprehension cannot answer, the last numbers read stay in use (and before any was read,
 * the model list simply leaves the field out), so {@code /v1/models} keeps answering while a downstream is down.
 */
@Component
public class ServedModelCards {

    static final Duration FRESH_FOR = Duration.ofSeconds(30);
    static final Duration RETRY_FAILED_AFTER = Duration.ofSeconds(2);
    static final Duration WAIT_AT_MOST = Duration.ofSeconds(2);

    private static final Logger log = LoggerFactory.getLogger(ServedModelCards.class);
    private static final ParameterizedTypeReference<String> TEXT = new ParameterizedTypeReference<>() {};

    private final Downstream comprehension;
    private final JsonMapper json;
    private final AtomicReference<Map<String, Integer>> lastRead = new AtomicReference<>(Map.of());
    private final Mono<Map<String, Integer>> cached;

    @Autowired
    public ServedModelCards(Downstreams downstreams, JsonMapper json) {
        this(downstreams.comprehension(), json, FRESH_FOR, RETRY_FAILED_AFTER);
    }

    /** @param freshFor how long an answer is used before it is read again; a failure is retried after the second. */
    public ServedModelCards(Downstream comprehension, JsonMapper json, Duration freshFor, Duration retryFailedAfter) {
        this.comprehension = comprehension;
        this.json = json;
        // Reactor's cache with separate lifetimes: a good answer for freshFor, a failure only briefly.
        this.cached = read().cache(value -> freshFor, failure -> retryFailedAfter, () -> retryFailedAfter);
    }

    /** Context length by model id; the last known numbers (possibly none) when comprehension does not answer. */
    public Mono<Map<String, Integer>> contextLengths() {
        return this.cached.onErrorResume(failure -> Mono.just(this.lastRead.get()));
    }

    private Mono<Map<String, Integer>> read() {
        return this.comprehension
                .exchange(HttpMethod.GET, "/v1/models", headers -> {}, new byte[0], TEXT)
                .flatMap(response -> response.getBody().collectList().map(parts -> parse(String.join("", parts))))
                .timeout(WAIT_AT_MOST)
                .doOnNext(this.lastRead::set)
                .doOnError(failure -> log.debug("model cards not read from comprehension: {}", failure.toString()));
    }

    private Map<String, Integer> parse(String body) {
        Map<String, Integer> lengths = new HashMap<>();
        for (JsonNode card : this.json.readTree(body).path("data")) {
            if (card.path("id").isString() && card.path("context_length").isInt()) {
                lengths.put(
                        card.get("id").asString(), card.get("context_length").asInt());
            }
        }
        return Map.copyOf(lengths);
    }
}
