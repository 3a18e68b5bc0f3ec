package io.xcomposer.gateway.auth;

import io.xcomposer.common.error.ApiException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code /admin/keys}: create (POST {name, requests_per_minute?, tokens_per_minute?}), list (GET), revoke
 * (DELETE /admin/keys/{id}). {@link ApiKeyFilter} lets only holders of the {@link AdminToken} reach them.
 */
@Component
public class AdminKeysHandler {

    private final ApiKeyStore store;

    public AdminKeysHandler(ApiKeyStore store) {
        this.store = store;
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return request.bodyToMono(CreateKeyRequest.class)
                .defaultIfEmpty(new CreateKeyRequest(null, null, null))
                .flatMap(body -> store.create(
                        body.name() == null ? "unnamed" : body.name(),
                        body.requests_per_minute() == null ? 0 : body.requests_per_minute(),
                        body.tokens_per_minute() == null ? 0 : body.tokens_per_minute()))
                .flatMap(created -> {
                    Map<String, Object> json = view(created.key());
                    json.put("key", created.secret());
                    return ServerResponse.status(HttpStatus.CREATED)
                            .contentType(MediaType.APPLICATION_JSON)
                            .bodyValue(json);
                });
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return store.list()
                .map(AdminKeysHandler::view)
                .collectList()
                .flatMap(keys -> ServerResponse.ok().bodyValue(Map.of("object", "list", "data", keys)));
    }

    public Mono<ServerResponse> revoke(ServerRequest request) {
        String id = request.pathVariable("id");
        return store.revoke(id)
                .filter(Boolean::booleanValue)
                .switchIfEmpty(Mono.error(() -> ApiException.notFound("key_not_found", "No key " + id + ".", null)))
                .flatMap(ok -> ServerResponse.ok().bodyValue(Map.of("id", id, "revoked", true)));
    }

    static Map<String, Object> view(ApiKey key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id());
        json.put("object", "api_key");
        json.put("name", key.name());
        json.put("created", key.created().getEpochSecond());
        json.put("revoked", key.revoked());
        json.put("requests_per_minute", key.requestsPerMinute());
        json.put("tokens_per_minute", key.tokensPerMinute());
        return json;
    }

    /** Snake case like the rest of the public API. */
    record CreateKeyRequest(String name, Integer requests_per_minute, Long tokens_per_minute) {}
}
