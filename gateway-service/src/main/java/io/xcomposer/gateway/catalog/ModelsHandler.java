package io.xcomposer.gateway.catalog;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.config.GatewayProperties;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/models[/{id}]} from configuration: OpenAI's list shape plus extension fields ({@code capabilities},
 * {@code vision}, {@code context_length} and vLLM's {@code max_model_len}) that OpenAI clients ignore and our page
 * and vLLM-aware tools read. Configured rather than
 * fetched so the list stays fast and available when a downstream is down.
 */
@Component
public class ModelsHandler {

    private final List<Map<String, Object>> models;

    public ModelsHandler(GatewayProperties properties) {
        long created = Instant.now().getEpochSecond();
        this.models =
                properties.models().stream().map(model -> view(model, created)).toList();
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return ServerResponse.ok().bodyValue(Map.of("object", "list", "data", models));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return models.stream()
                .filter(model -> model.get("id").equals(id))
                .findFirst()
                .map(model -> ServerResponse.ok().bodyValue(model))
                .orElseGet(() -> Mono.error(
                        ApiException.notFound("model_not_found", "The model '" + id + "' does not exist.", null)));
    }

    private static Map<String, Object> view(GatewayProperties.Model model, long created) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", model.id());
        json.put("object", "model");
        json.put("created", created);
        json.put("owned_by", "xcomposer");
        json.put("vision", model.vision());
        json.put("context_length", model.contextLength());
        // vLLM's name for the same number (its ModelCard); tools that probe vLLM-compatible servers read it.
        json.put("max_model_len", model.contextLength());
        json.put("capabilities", model.capabilities());
        return json;
    }
}
