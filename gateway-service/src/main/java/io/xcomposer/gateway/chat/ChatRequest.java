package io.xcomposer.gateway.chat;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.common.json.JsonFields;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The parts of a chat request the gateway itself needs. The body is otherwise relayed as sent (comprehension owns
 * validation of sampling parameters and images); the gateway checks what it must know to route and to meter:
 * valid JSON, a known model, messages present, and whether it streams, each of the right JSON type
 * ({@link JsonFields}, the rule every service applies). For streams it always asks downstream for
 * the usage chunk (to charge the token budget) and drops it again if the client did not ask for it.
 *
 * @param body the JSON to forward
 * @param model the requested model id
 * @param stream whether the client asked for SSE
 * @param clientWantsUsage {@code stream_options.include_usage} as the client sent it
 */
public record ChatRequest(ObjectNode body, String model, boolean stream, boolean clientWantsUsage) {

    static ChatRequest parse(JsonMapper json, byte[] bytes, Set<String> knownModels) {
        return parse(json, bytes, knownModels, "messages");
    }

    /**
     * {@code required}: the field the endpoint cannot do without — {@code messages} (chat: a non-empty array) or
     * {@code prompt} (completions: present; its form is comprehension's to check).
     */
    static ChatRequest parse(JsonMapper json, byte[] bytes, Set<String> knownModels, String required) {
        JsonNode root;
        try {
            root = json.readTree(bytes);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("invalid_json", "The request body is not valid JSON.", null);
        }
        if (!(root instanceof ObjectNode body)) {
            throw ApiException.badRequest("invalid_request", "The request body must be a JSON object.", null);
        }
        String model = JsonFields.string(body, "model", "model");
        if (model == null || model.isBlank()) {
            throw ApiException.badRequest("missing_required_parameter", "You must provide a model parameter.", "model");
        }
        if (!knownModels.contains(model)) {
            throw ApiException.notFound(
                    "model_not_found",
                    "The model '" + model + "' does not exist or you do not have access to it.",
                    "model");
        }
        JsonNode messages = body.get(required);
        boolean chat = "messages".equals(required);
        if (chat && (messages == null || !messages.isArray() || messages.isEmpty())) {
            throw ApiException.badRequest(
                    "missing_required_parameter", "'messages' must be a non-empty array.", "messages");
        }
        if (!chat && (messages == null || messages.isNull())) {
            throw ApiException.badRequest(
                    "missing_required_parameter", "You must provide a '" + required + "' parameter.", required);
        }
        boolean streaming = Boolean.TRUE.equals(JsonFields.bool(body, "stream", "stream"));
        JsonNode options = JsonFields.object(body, "stream_options", "stream_options");
        boolean wantsUsage = options != null
                && Boolean.TRUE.equals(JsonFields.bool(options, "include_usage", "stream_options.include_usage"));
        if (streaming) {
            body.putObject("stream_options").put("include_usage", true);
        }
        return new ChatRequest(body, model, streaming, wantsUsage);
    }
}
