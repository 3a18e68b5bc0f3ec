package io.xcomposer.common.json;

import io.xcomposer.common.error.ApiException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Typed reads of a request's JSON tree, for handlers that relay a body rather than bind it (the gateway's chat and
 * embeddings): the same rule and the same errors as {@link StrictJson} and {@code ApiErrors} give bound bodies, a
 * value of the wrong JSON type is 400 {@code invalid_type} naming the field, never converted.
 */
public final class JsonFields {

    private JsonFields() {}

    /** The string at {@code field} of {@code parent}; null when absent or JSON null. */
    public static @Nullable String string(JsonNode parent, String field, String param) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString()) {
            throw invalidType(param, "a string");
        }
        return value.asString();
    }

    /** The boolean at {@code field} of {@code parent}; null when absent or JSON null. */
    public static @Nullable Boolean bool(JsonNode parent, String field, String param) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            throw invalidType(param, "a boolean");
        }
        return value.asBoolean();
    }

    /** The object at {@code field} of {@code parent}; null when absent or JSON null. */
    public static @Nullable JsonNode object(JsonNode parent, String field, String param) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw invalidType(param, "an object");
        }
        return value;
    }

    /** {@code value} itself as a string. */
    public static String string(JsonNode value, String param) {
        if (!value.isString()) {
            throw invalidType(param, "a string");
        }
        return value.asString();
    }

    public static ApiException invalidType(String param, String expected) {
        return ApiException.badRequest(
                "invalid_type", "Invalid type for '" + param + "': expected " + expected + ".", param);
    }
}
