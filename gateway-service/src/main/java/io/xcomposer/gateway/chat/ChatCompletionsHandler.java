package io.xcomposer.gateway.chat;

import io.xcomposer.common.web.DataBuffers;
import io.xcomposer.gateway.auth.ApiKey;
import io.xcomposer.gateway.auth.ApiKeyFilter;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.DownstreamStatusException;
import io.xcomposer.gateway.downstream.Downstreams;
import io.xcomposer.gateway.downstream.Forwarding;
import io.xcomposer.gateway.limit.TokenBudget;
import io.xcomposer.gateway.stream.SseDataLines;
import io.xcomposer.gateway.stream.SseSupport;
import io.xcomposer.gateway.stream.StreamLog;
import io.xcomposer.gateway.stream.StreamRelay;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /v1/chat/completions} and {@code POST /v1/completions}, OpenAI-compatible, proxied to comprehension
 * (the same path there). Non-streamed answers are relayed
 * whole; streamed ones go through the {@link StreamRelay} (ids, Redis log, resume, keep-alive). Usage tokens of
 * every answer are charged to the key's token budget.
 */
@Component
public class ChatCompletionsHandler {

    private static final Logger log = LoggerFactory.getLogger(ChatCompletionsHandler.class);
    private static final ParameterizedTypeReference<DataBuffer> BYTES = new ParameterizedTypeReference<>() {};
    private static final String CHAT = "/v1/chat/completions";
    private static final String COMPLETIONS = "/v1/completions";

    private final Downstream comprehension;
    private final StreamRelay relay;
    private final StreamLog streamLog;
    private final TokenBudget budget;
    private final JsonMapper json;
    private final Set<String> models;
    private final int maxBody;

    public ChatCompletionsHandler(
            Downstreams downstreams,
            StreamRelay relay,
            StreamLog streamLog,
            TokenBudget budget,
            JsonMapper json,
            GatewayProperties properties) {
        this.comprehension = downstreams.comprehension();
        this.relay = relay;
        this.streamLog = streamLog;
        this.budget = budget;
        this.json = json;
        this.models =
                properties.models().stream().map(GatewayProperties.Model::id).collect(Collectors.toSet());
        this.maxBody = (int) properties.limits().chatMaxBody().toBytes();
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return relay(request, CHAT, "messages");
    }

    /** {@code POST /v1/completions}: relayed, metered and resumable exactly as chat is. */
    public Mono<ServerResponse> completions(ServerRequest request) {
        return relay(request, COMPLETIONS, "prompt");
    }

    private Mono<ServerResponse> relay(ServerRequest request, String path, String required) {
        ServerWebExchange exchange = request.exchange();
        return DataBufferUtils.join(request.bodyToFlux(DataBuffer.class), maxBody)
                .map(DataBuffers::readAndRelease)
                .defaultIfEmpty(new byte[0])
                .map(bytes -> ChatRequest.parse(json, bytes, models, required))
                .flatMap(chat -> chat.stream() ? stream(exchange, chat, path) : complete(exchange, chat, path))
                .onErrorResume(DownstreamStatusException.class, Forwarding::relayError);
    }

    private Mono<ServerResponse> complete(ServerWebExchange exchange, ChatRequest chat, String path) {
        ApiKey key = ApiKeyFilter.keyOf(exchange);
        return comprehension
                .exchange(HttpMethod.POST, path, headers(exchange, false), json.writeValueAsBytes(chat.body()), BYTES)
                .flatMap(entity -> DataBufferUtils.join(entity.getBody())
                        .map(DataBuffers::readAndRelease)
                        .timeout(comprehension.http().requestTimeout())
                        .map(body -> respondWhole(entity, body)))
                .flatMap(answer ->
                        charge(key, Usage.totalTokens(json, answer.text())).then(answer.response()));
    }

    private Mono<ServerResponse> stream(ServerWebExchange exchange, ChatRequest chat, String path) {
        ApiKey key = ApiKeyFilter.keyOf(exchange);
        String streamId = StreamRelay.newStreamId();
        Mono<ResponseEntity<Flux<DataBuffer>>> opened = relay.admit()
                .then(comprehension.exchange(
                        HttpMethod.POST, path, headers(exchange, true), json.writeValueAsBytes(chat.body()), BYTES));
        return opened.flatMap(entity -> streamLog
                .open(streamId, key.id())
                .onErrorResume(error -> Mono.empty())
                .then(Mono.fromSupplier(() -> relay.start(streamId, dataOf(entity.getBody(), chat, key))))
                .flatMap(events -> SseSupport.respond(events, streamId)));
    }

    /**
     * Downstream events → the data lines the client gets: comments dropped, usage charged (and hidden if unasked).
     * The events are split straight from the bytes and passed through as they are; only a chunk that mentions
     * {@code "usage"} (the last one) is parsed.
     */
    private Flux<String> dataOf(Flux<DataBuffer> body, ChatRequest chat, ApiKey key) {
        return SseDataLines.of(body.timeout(comprehension.http().idleTimeout()), maxBody)
                .concatMap(data -> {
                    if (!data.contains("\"usage\"")) {
                        return Mono.just(data); // scalar: concatMap passes it on without subscribing
                    }
                    long tokens = Usage.totalTokens(json, data);
                    if (tokens < 0) {
                        return Mono.just(data);
                    }
                    Mono<Void> charged = charge(key, tokens);
                    boolean hide = !chat.clientWantsUsage() && Usage.isUsageOnlyChunk(json, data);
                    return hide ? charged.then(Mono.empty()) : charged.thenReturn(data);
                });
    }

    private Mono<Void> charge(ApiKey key, long tokens) {
        if (tokens <= 0) {
            return Mono.empty();
        }
        return budget.charge(key.id(), tokens)
                .onErrorResume(error -> {
                    log.warn("Could not charge {} tokens to {}: {}", tokens, key.id(), error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private static java.util.function.Consumer<HttpHeaders> headers(ServerWebExchange exchange, boolean stream) {
        return Forwarding.baseHeaders(exchange).andThen(headers -> {
            headers.setContentType(MediaType.APPLICATION_JSON);
            headers.setAccept(java.util.List.of(stream ? MediaType.TEXT_EVENT_STREAM : MediaType.APPLICATION_JSON));
        });
    }

    private static Answer respondWhole(ResponseEntity<?> entity, byte[] body) {
        MediaType type = entity.getHeaders().getContentType();
        Mono<ServerResponse> response = ServerResponse.status(entity.getStatusCode())
                .contentType(type == null ? MediaType.APPLICATION_JSON : type)
                .bodyValue(body);
        return new Answer(new String(body, StandardCharsets.UTF_8), response);
    }

    private record Answer(String text, Mono<ServerResponse> response) {}
}
