package io.xcomposer.inference.client;

import io.xcomposer.inference.grpc.InferParameter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Converts request/response parameters between plain Java values and {@link InferParameter}. */
final class InferParameters {

    private InferParameters() {}

    /** Boolean, Integer/Long, Float/Double and String map to bool, int64, double and string params. */
    static Map<String, InferParameter> toProto(Map<String, Object> parameters) {
        Map<String, InferParameter> converted = new LinkedHashMap<>();
        parameters.forEach((key, value) -> converted.put(key, toProto(key, value)));
        return converted;
    }

    /** The inverse of {@link #toProto(Map)}; uint64 params arrive as (possibly negative) longs. */
    static Map<String, Object> fromProto(Map<String, InferParameter> parameters) {
        Map<String, Object> converted = new LinkedHashMap<>();
        parameters.forEach((key, value) -> {
            switch (value.getParameterChoiceCase()) {
                case BOOL_PARAM -> converted.put(key, value.getBoolParam());
                case INT64_PARAM -> converted.put(key, value.getInt64Param());
                case STRING_PARAM -> converted.put(key, value.getStringParam());
                case DOUBLE_PARAM -> converted.put(key, value.getDoubleParam());
                case UINT64_PARAM -> converted.put(key, value.getUint64Param());
                case PARAMETERCHOICE_NOT_SET -> {
                    // An unset oneof carries no value worth surfacing.
                }
            }
        });
        return converted;
    }

    private static InferParameter toProto(String key, Object value) {
        InferParameter.Builder parameter = InferParameter.newBuilder();
        if (value instanceof Boolean flag) {
            return parameter.setBoolParam(flag).build();
        }
        if (value instanceof Integer || value instanceof Long) {
            return parameter.setInt64Param(((Number) value).longValue()).build();
        }
        if (value instanceof Float || value instanceof Double) {
            return parameter.setDoubleParam(((Number) value).doubleValue()).build();
        }
        if (value instanceof String text) {
            return parameter.setStringParam(text).build();
        }
        throw new IllegalArgumentException("parameter '" + key + "' has unsupported type "
                + value.getClass().getName());
    }
}
