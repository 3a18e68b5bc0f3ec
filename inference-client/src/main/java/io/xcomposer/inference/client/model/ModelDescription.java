package io.xcomposer.inference.client.model;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelParameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model's config with typed, fail-fast access to its string parameters. Parameter values arrive with pbtxt
 * escapes already decoded by protobuf (a {@code "\n"} in config.pbtxt is a real newline here), so they are used as
 * they are.
 */
public final class ModelDescription {

    /** Jackson 3, the JSON library the services use already; text after the array is an error, not ignored. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ModelConfig config;

    private ModelDescription(ModelConfig config) {
        this.config = config;
    }

    public static ModelDescription of(ModelConfig config) {
        return new ModelDescription(config);
    }

    public String name() {
        return this.config.getName();
    }

    /** 0 when the model takes no batch dimension. */
    public int maxBatchSize() {
        return this.config.getMaxBatchSize();
    }

    public boolean decoupled() {
        return this.config.hasModelTransactionPolicy()
                && this.config.getModelTransactionPolicy().getDecoupled();
    }

    public boolean has(String key) {
        return this.config.getParametersMap().containsKey(key);
    }

    public @Nullable String optionalString(String key) {
        ModelParameter parameter = this.config.getParametersMap().get(key);
        return parameter == null ? null : parameter.getStringValue();
    }

    public String requireString(String key) {
        String value = optionalString(key);
        if (value == null) {
            throw missing(key);
        }
        return value;
    }

    /** {@code "true"} or {@code "false"} (any case), or null when the parameter is absent. */
    public @Nullable Boolean optionalBoolean(String key) {
        String value = optionalString(key);
        if (value == null) {
            return null;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw invalid(key, value, "true or false");
        };
    }

    public int requireInt(String key) {
        String value = requireString(key).trim();
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException notANumber) {
            throw invalid(key, value, "an integer");
        }
    }

    /** A comma-separated list of exactly {@code count} floats, e.g. {@code image_mean}. */
    public float[] requireFloats(String key, int count) {
        String value = requireString(key);
        String[] parts = value.split(",");
        if (parts.length != count) {
            throw invalid(key, value, count + " comma-separated numbers");
        }
        float[] floats = new float[count];
        try {
            for (int i = 0; i < count; i++) {
                floats[i] = Float.parseFloat(parts[i].trim());
            }
        } catch (NumberFormatException notANumber) {
            throw invalid(key, value, count + " comma-separated numbers");
        }
        return floats;
    }

    /** A JSON array of strings, e.g. {@code stop_strings}. */
    public List<String> requireStringList(String key) {
        String value = requireString(key);
        JsonNode array;
        try {
            array = JSON.readTree(value);
        } catch (JacksonException malformed) {
            throw invalid(key, value, "a JSON array of strings (" + malformed.getOriginalMessage() + ")");
        }
        if (array == null || !array.isArray()) {
            throw invalid(key, value, "a JSON array of strings");
        }
        List<String> strings = new ArrayList<>(array.size());
        for (JsonNode element : array) {
            if (!element.isString()) {
                throw invalid(key, value, "a JSON array of strings (found " + element.getNodeType() + ")");
            }
            strings.add(element.stringValue());
        }
        return List.copyOf(strings);
    }

    public ModelConfig config() {
        return this.config;
    }

    private IllegalStateException missing(String key) {
        return new IllegalStateException(
                "model '" + name() + "' config lacks parameter '" + key + "' (see docs/model-contract.md)");
    }

    private IllegalStateException invalid(String key, String value, String expected) {
        return new IllegalStateException(
                "model '" + name() + "' parameter '" + key + "' is '" + value + "', expected " + expected);
    }
}
