package io.xcomposer.comprehension.chat;

import io.xcomposer.common.error.ApiException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * OpenAI request options the model cannot honour. Ignoring one would answer 200 with behaviour the client did not
 * ask for (plain text instead of a tool call or JSON, a bias not applied), so each is a 400
 * {@code unsupported_parameter} naming it. The harmless forms front ends send by default pass: an empty
 * {@code tools} array, {@code tool_choice: "none"}, {@code response_format: {"type": "text"}}, an empty
 * {@code logit_bias}, {@code modalities: ["text"]}. Fields that change nothing ({@code user}, {@code store},
 * {@code metadata}, {@code service_tier}, {@code parallel_tool_calls}) are not read at all.
 */
final class UnsupportedOptions {

    private static final String NO_TOOLS =
            "the model was not trained for tool or function calls; send the request without it";

    private UnsupportedOptions() {}

    static void refuse(ChatCompletionRequest request) {
        refuseUnlessEmptyArray("tools", request.tools(), NO_TOOLS);
        refuseUnlessNone("tool_choice", request.toolChoice());
        refuseUnlessEmptyArray("functions", request.functions(), NO_TOOLS);
        refuseUnlessNone("function_call", request.functionCall());
        JsonNode format = request.responseFormat();
        if (present(format)
                && !(format.isObject()
                        && format.path("type").isString()
                        && "text".equals(format.path("type").stringValue()))) {
            throw unsupported(
                    "response_format",
                    "only {\"type\": \"text\"} is supported; JSON mode and JSON schemas are not (no constrained"
                            + " decoding)");
        }
        JsonNode bias = request.logitBias();
        if (present(bias) && !(bias.isObject() && bias.isEmpty())) {
            throw unsupported("logit_bias", "token biases are not supported");
        }
        JsonNode modalities = request.modalities();
        if (present(modalities)) {
            boolean textOnly = modalities.isArray();
            for (JsonNode modality : modalities) {
                textOnly &= modality.isString() && "text".equals(modality.stringValue());
            }
            if (!textOnly) {
                throw unsupported("modalities", "the model only writes text; expected [\"text\"]");
            }
        }
        refuseIfPresent("audio", request.audio(), "audio output is not supported");
        refuseIfPresent("prediction", request.prediction(), "predicted outputs are not supported");
        refuseIfPresent("web_search_options", request.webSearchOptions(), "web search is not supported");
    }

    private static void refuseUnlessEmptyArray(String param, @Nullable JsonNode value, String why) {
        if (present(value) && !(value.isArray() && value.isEmpty())) {
            throw unsupported(param, why);
        }
    }

    private static void refuseUnlessNone(String param, @Nullable JsonNode value) {
        if (present(value) && !(value.isString() && "none".equals(value.stringValue()))) {
            throw unsupported(param, NO_TOOLS + " (only \"none\" is accepted)");
        }
    }

    private static void refuseIfPresent(String param, @Nullable JsonNode value, String why) {
        if (present(value)) {
            throw unsupported(param, why);
        }
    }

    private static boolean present(@Nullable JsonNode value) {
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    static ApiException unsupported(String param, String why) {
        return ApiException.badRequest(
                "unsupported_parameter", "Unsupported parameter: '" + param + "': " + why + ".", param);
    }
}
