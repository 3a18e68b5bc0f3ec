package io.xcomposer.common.json;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * How every service reads JSON: a value of the wrong JSON type is an error, never converted. Jackson by default
 * turns {@code "title": 42} into {@code "42"}, {@code "max_tokens": "5"} into 5, {@code 1.9} into 1 and
 * {@code null} into 0 for a primitive; here each is a {@code MismatchedInputException} that
 * {@code ApiErrors} answers with 400 {@code invalid_type} naming the field (or {@code invalid_value} for an
 * integer out of range). Integers are still accepted where a decimal belongs.
 */
public final class StrictJson {

    private StrictJson() {}

    /** Applies the rules to {@code builder}; Boot's mapper gets them through {@code PlatformWebAutoConfiguration}. */
    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .withCoercionConfig(
                        LogicalType.Textual,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Integer,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Float,
                        config -> config.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }

    /** A mapper with only these rules, for code that reads JSON outside Spring's codecs. */
    public static JsonMapper mapper() {
        return configure(JsonMapper.builder()).build();
    }
}
