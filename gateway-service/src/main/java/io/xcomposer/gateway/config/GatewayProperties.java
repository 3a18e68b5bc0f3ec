package io.xcomposer.gateway.config;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Everything the gateway is configured with, under {@code xcomposer.gateway}. Defaults are the embedded-default
 * deployment on one machine; each sub-record is one concern.
 *
 * @param comprehensionUrl base URL of comprehension-service (chat, image upload)
 * @param compositionUrl base URL of composition-service
 * @param retrievalUrl base URL of retrieval-service (gallery, embeddings)
 * @param adminToken bearer token for {@code /admin/**}; admin endpoints answer 404 when it is blank
 * @param bootstrapKey create one key, printed once to the log, when Redis holds no key at start-up
 * @param models what {@code GET /v1/models} lists
 */
@ConfigurationProperties(GatewayProperties.PREFIX)
public record GatewayProperties(
        @DefaultValue("http://127.0.0.1:8081") String comprehensionUrl,
        @DefaultValue("http://127.0.0.1:8082") String compositionUrl,
        @DefaultValue("http://127.0.0.1:8083") String retrievalUrl,
        @Nullable String adminToken,
        @DefaultValue("false") boolean bootstrapKey,
        @DefaultValue List<Model> models,
        @DefaultValue Limits limits,
        @DefaultValue Streams streams,
        @DefaultValue Http http,
        @DefaultValue Cors cors) {

    public static final String PREFIX = "xcomposer.gateway";

    public GatewayProperties {
        if (models.isEmpty()) {
            models = List.of(new Model("xcomposer-tiny", true, List.of("vision", "composition")));
        }
    }

    /**
     * One served model as {@code /v1/models} describes it (its context length comes from the model itself, through
     * comprehension-service).
     *
     * @param id the model id clients send
     * @param vision whether image parts are accepted
     * @param capabilities extension list, e.g. vision, composition
     */
    public record Model(
            String id,
            @DefaultValue("true") boolean vision,
            @DefaultValue List<String> capabilities) {}

    /**
     * Per-key limits (a key may override the two rates).
     *
     * @param requestsPerMinute steady request rate of the token bucket
     * @param burst bucket capacity: how many requests may arrive at once
     * @param tokensPerMinute usage tokens (prompt + completion) per fixed minute window; 0 = no budget
     * @param chatMaxBody largest chat request body (base64 images make them big)
     * @param maxBody largest body on other routes (uploads included)
     * @param maxConcurrentStreams open streams per gateway instance before new ones get 503
     * @param authCacheTtl how long a key seen valid may be accepted while Redis is unreachable
     */
    public record Limits(
            @DefaultValue("600") int requestsPerMinute,
            @DefaultValue("60") int burst,
            @DefaultValue("0") long tokensPerMinute,
            @DefaultValue("25MB") DataSize chatMaxBody,
            @DefaultValue("25MB") DataSize maxBody,
            @DefaultValue("4096") int maxConcurrentStreams,
            @DefaultValue("5m") Duration authCacheTtl) {}

    /**
     * Resumable streams.
     *
     * @param ttl how long a stream's event log stays in Redis after its last event
     * @param keepAlive interval of {@code : ping} comments (load balancers cut idle connections at 30-60 s)
     * @param detachedGrace how long the gateway keeps consuming a stream no client is attached to, waiting for a
     *        resume, before it cancels the downstream (and with it the model's generation)
     * @param resumePoll how often a resuming reader polls the log for new events
     * @param maxEvents hard cap on events logged for one stream
     * @param resumable log events to Redis so streams can be resumed; off = plain relay (no Redis per event)
     */
    public record Streams(
            @DefaultValue("10m") Duration ttl,
            @DefaultValue("15s") Duration keepAlive,
            @DefaultValue("30s") Duration detachedGrace,
            @DefaultValue("25ms") Duration resumePoll,
            @DefaultValue("20000") int maxEvents,
            @DefaultValue("true") boolean resumable) {}

    /**
     * Downstream HTTP behaviour. Breaker and retry policy: {@code downstream.DownstreamPolicy} (429/503 are load
     * shedding: passed on, never counted, never retried).
     *
     * @param connectTimeout TCP connect timeout
     * @param firstByteTimeout time to response headers; generation queues count here
     * @param idleTimeout largest gap between two stream events
     * @param requestTimeout total time of a non-streamed call
     * @param retries attempts after the first, only for a refused connection (nothing was sent)
     * @param breakerWindow calls (the last n) over which a downstream's fault rate is measured
     * @param breakerMinimumCalls calls needed in the window before the rate can open the breaker
     * @param breakerFailureRate percentage of faults in the window that opens the breaker
     * @param breakerOpenFor how long an open breaker refuses calls before trial calls; short, because it is added
     *        to the recovery after an outage
     * @param breakerHalfOpenCalls trial calls let through after {@code breakerOpenFor}
     * @param streamResumeWindow how long the gateway keeps reconnecting a composition event stream that broke off
     *        (its replica died) with {@code Last-Event-ID} before it ends the client's stream with an {@code error}
     *        event; counted from the break, again after each reconnect that delivered an event. Composition's
     *        lease takes a job over within 3-5 s, so 10 s covers one take-over with room.
     */
    public record Http(
            @DefaultValue("2s") Duration connectTimeout,
            @DefaultValue("60s") Duration firstByteTimeout,
            @DefaultValue("120s") Duration idleTimeout,
            @DefaultValue("300s") Duration requestTimeout,
            @DefaultValue("2") int retries,
            @DefaultValue("10") int breakerWindow,
            @DefaultValue("5") int breakerMinimumCalls,
            @DefaultValue("50") int breakerFailureRate,
            @DefaultValue("1s") Duration breakerOpenFor,
            @DefaultValue("3") int breakerHalfOpenCalls,
            @DefaultValue("10s") Duration streamResumeWindow) {}

    /**
     * CORS for browser clients on other origins. Keys travel as bearer tokens, never cookies, so credentials stay off.
     *
     * @param allowedOrigins origins (patterns) allowed; {@code *} by default
     */
    public record Cors(@DefaultValue("*") List<String> allowedOrigins) {}
}
