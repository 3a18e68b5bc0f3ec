package io.xcomposer.gateway.catalog;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.json.JsonFields;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.DownstreamStatusException;
import io.xcomposer.gateway.downstream.Downstreams;
import io.xcomposer.gateway.downstream.Forwarding;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST /v1/embeddings}, OpenAI's shape, through retrieval's joint text/image space. {@code input} is a string
 * or a list of strings; as an extension, items may be {@code {"type":"image_url","image_url":{"url":...}}} or the
 * body may carry {@code images: [...]} (URLs, data URLs or {@code img_} ids) — one request is either texts or
 * images, as retrieval embeds one modality per call. {@code encoding_format: base64} packs float32 little-endian.
 * {@code model} must be one of the models {@code /v1/models} lists (404 {@code model_not_found} otherwise); fields
 * of the wrong JSON type are 400 {@code invalid_type} ({@link JsonFields}).
 */
@Component
public class EmbeddingsHandler {

    private static final ParameterizedTypeReference<String> TEXT = new ParameterizedTypeReference<>() {};

    private final Downstream retrieval;
    private final JsonMapper json;
    private final Set<String> models;

    public EmbeddingsHandler(Downstreams downstreams, JsonMapper json, GatewayProperties properties) {
        this.retrieval = downstreams.retrieval();
        this.json = json;
        // The retrieval space belongs to the served model family, so the models /v1/models lists are the ones
        // that exist here too; anything else is OpenAI's 404 rather than a name echoed back.
        this.models =
                properties.models().stream().map(GatewayProperties.Model::id).collect(Collectors.toSet());
    }

    public Mono<ServerResponse> create(ServerRequest request) {
        return request.bodyToMono(String.class)
                .defaultIfEmpty("")
                .map(this::parse)
                .flatMap(call -> retrieval
                        .exchange(
                                HttpMethod.POST,
                                "/v1/gallery/embeddings",
                                Forwarding.baseHeaders(request.exchange())
                                        .andThen(headers -> headers.setContentType(MediaType.APPLICATION_JSON)),
                                json.writeValueAsBytes(call.downstreamBody()),
                                TEXT)
                        .flatMap(entity -> entity.getBody().collectList().map(parts -> String.join("", parts)))
                        .map(answer -> toOpenAi(call, answer)))
                .flatMap(body -> ServerResponse.ok()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(body))
                .onErrorResume(DownstreamStatusException.class, Forwarding::relayError);
    }

    private Call parse(String text) {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.", null);
        }
        if (!root.isObject()) {
            throw ApiException.badRequest("invalid_request", "The request body must be a JSON object.", null);
        }
        String model = JsonFields.string(root, "model", "model");
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("missing_required_parameter", "You must provide a model parameter.", "model");
        }
        if (!models.contains(model)) {
            throw ApiException.notFound(
                    "model_not_found",
                    "The model '" + model + "' does not exist or you do not have access to it.",
                    "model");
        }
        String format = JsonFields.string(root, "encoding_format", "encoding_format");
        format = format == null ? "float" : format;
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.badRequest(
                    "invalid_value", "encoding_format must be 'float' or 'base64'.", "encoding_format");
        }
        List<String> texts = new ArrayList<>();
        List<String> images = new ArrayList<>();
        JsonNode imageList = root.path("images");
        if (!imageList.isMissingNode() && !imageList.isNull() && !imageList.isArray()) {
            throw JsonFields.invalidType("images", "an array");
        }
        for (int i = 0; i < imageList.size(); i++) {
            images.add(JsonFields.string(imageList.get(i), "images[" + i + "]"));
        }
        JsonNode input = root.path("input");
        if (input.isString()) {
            texts.add(input.asString());
        } else if (input.isArray()) {
            for (int i = 0; i < input.size(); i++) {
                JsonNode item = input.get(i);
                String param = "input[" + i + "]";
                if (item.isString()) {
                    texts.add(item.asString());
                } else if (item.isObject() && "image_url".equals(JsonFields.string(item, "type", param + ".type"))) {
                    JsonNode imageUrl = JsonFields.object(item, "image_url", param + ".image_url");
                    String url = imageUrl == null ? null : JsonFields.string(imageUrl, "url", param + ".image_url.url");
                    if (url == null) {
                        throw ApiException.badRequest(
                                "missing_required_parameter",
                                "An image_url item needs image_url.url.",
                                param + ".image_url.url");
                    }
                    images.add(url);
                } else {
                    throw ApiException.badRequest(
                            "invalid_value", "input items must be strings or {type:image_url} objects.", param);
                }
            }
        } else if (!input.isMissingNode() && !input.isNull()) {
            throw JsonFields.invalidType("input", "a string or an array");
        }
        if (texts.isEmpty() == images.isEmpty()) {
            throw ApiException.badRequest(
                    "invalid_value", "Send either texts ('input') or images, not both and not neither.", "input");
        }
        Map<String, Object> downstream = texts.isEmpty() ? Map.of("images", images) : Map.of("input", texts);
        return new Call(model, format.equals("base64"), texts, downstream);
    }

    /** Accepts retrieval's answer as OpenAI data[], or as a bare list of vectors under a few plausible names. */
    private String toOpenAi(Call call, String answer) {
        JsonNode root = json.readTree(answer);
        List<JsonNode> vectors = new ArrayList<>();
        if (root.path("data").isArray()) {
            root.path("data").forEach(item -> vectors.add(item.has("embedding") ? item.get("embedding") : item));
        } else {
            for (String name : List.of("embeddings", "vectors")) {
                root.path(name).forEach(vectors::add);
            }
        }
        ObjectNode out = json.createObjectNode();
        out.put("object", "list");
        out.put("model", call.model());
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (call.base64()) {
                item.put("embedding", base64(vectors.get(i)));
            } else {
                item.set("embedding", vectors.get(i));
            }
        }
        long promptTokens = root.path("usage")
                .path("prompt_tokens")
                .asLong(call.texts().stream()
                        .mapToLong(t -> t.isBlank() ? 0 : t.trim().split("\\s+").length)
                        .sum());
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", promptTokens);
        usage.put("total_tokens", promptTokens);
        return json.writeValueAsString(out);
    }

    private static String base64(JsonNode vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        vector.forEach(value -> bytes.putFloat((float) value.asDouble()));
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private record Call(String model, boolean base64, List<String> texts, Map<String, Object> downstreamBody) {}
}
