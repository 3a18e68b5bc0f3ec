package io.xcomposer.gateway.chat;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads {@code usage.total_tokens} out of a completion, a chunk or an embeddings response. */
final class Usage {

    private Usage() {}

    /** Total tokens of the usage object in {@code json}, or -1 if it has none. */
    static long totalTokens(JsonMapper mapper, String json) {
        if (!json.contains("\"usage\"")) {
            return -1; // cheap pre-check: most chunks carry no usage
        }
        try {
            JsonNode usage = mapper.readTree(json).path("usage");
            if (!usage.isObject()) {
                return -1;
            }
            if (usage.has("total_tokens")) {
                return usage.path("total_tokens").asLong();
            }
            return usage.path("prompt_tokens").asLong(0)
                    + usage.path("completion_tokens").asLong(0);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /** Whether a chunk is the usage-only chunk ({@code choices: []}). */
    static boolean isUsageOnlyChunk(JsonMapper mapper, String json) {
        if (!json.contains("\"usage\"")) {
            return false;
        }
        try {
            JsonNode node = mapper.readTree(json);
            return node.path("usage").isObject()
                    && node.path("choices").isArray()
                    && node.path("choices").isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
