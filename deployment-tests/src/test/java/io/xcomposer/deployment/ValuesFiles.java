package io.xcomposer.deployment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Helm's way of combining values files: maps merge key by key, anything else is replaced. */
final class ValuesFiles {

    private ValuesFiles() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object current = merged.get(key);
            if (current instanceof Map<?, ?> currentMap && value instanceof Map<?, ?> valueMap) {
                merged.put(key, merge((Map<String, Object>) currentMap, (Map<String, Object>) valueMap));
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /** Maps that are Kubernetes objects passed through whole, documented as one value each. */
    private static final Set<String> OBJECT_VALUES =
            Set.of("resources", "nodeSelector", "podSecurityContext", "containerSecurityContext");

    /** Dotted paths of every value (lists and pass-through objects count as one: they are set as a whole). */
    @SuppressWarnings("unchecked")
    static List<String> leafPaths(Map<String, Object> values) {
        List<String> paths = new ArrayList<>();
        values.forEach((key, value) -> {
            if (value instanceof Map<?, ?> map && !map.isEmpty() && !OBJECT_VALUES.contains(key)) {
                leafPaths((Map<String, Object>) map).forEach(p -> paths.add(key + "." + p));
            } else {
                paths.add(key);
            }
        });
        return paths;
    }
}
