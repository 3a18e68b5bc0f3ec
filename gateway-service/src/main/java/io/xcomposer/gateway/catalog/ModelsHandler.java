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
 * {@code GET /v1/models[/{id}]}: OpenAI's list shape plus extension fields ({@code capabilities}, {@code vision},
 * {@code context_length} and vLLM's {@code max_model_len}) that OpenAI clients ignore and our page and vLLM-aware
 * tools read. Which models are listed is configuration, so the list stays available when a downstream is down; the
 * context length is the served model's own ({@link ServedModelCards}), left out until it has been read once.
 */
@Component
public class ModelsHandler {

    private final List<GatewayProperties.Model> models;
    private final ServedModelCards served;
    private final long created = Instant.now().getEpochSecond();

    public ModelsHandler(GatewayProperties properties, ServedModelCards served) {
        this.models = properties.models();
        this.served = served;
    }

    public Mono<ServerResponse> list(ServerRequest request) {
        return this.served
                .contextLengths()
                .flatMap(lengths -> ServerResponse.ok()
                        .bodyValue(Map.of(
                                "object",
                                "list",
                                "data",
                                this.models.stream()
                                        .map(model -> view(model, lengths))
                                        .toList())));
    }

    public Mono<ServerResponse> get(ServerRequest request) {
        String id = request.pathVariable("id");
        return this.models.stream()
                .filter(model -> model.id().equals(id))
                .findFirst()
                .map(model -> this.served
                        .contextLengths()
                        .flatMap(lengths -> ServerResponse.ok().bodyValue(view(model, lengths))))
                .orElseGet(() -> Mono.error(
                        ApiException.notFound("model_not_found", "The model '" + id + "' does not exist.", null)));
    }

    private Map<String, Object> view(GatewayProperties.Model model, Map<String, Integer> contextLengths) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", model.id());
        json.put("object", "model");
        json.put("created", this.created);
        json.put("owned_by", "xcomposer");
        json.put("vision", model.vision());
        Integer contextLength = contextLengths.get(model.id());
        if (contextLength != null) {
            json.put("context_length", contextLength);
            // vLLM's name for the same number (its ModelCard); tools that probe vLLM-compatible servers read it.
            json.put("max_model_len", contextLength);
        }
        json.put("capabilities", model.capabilities());
        return json;
    }
}
