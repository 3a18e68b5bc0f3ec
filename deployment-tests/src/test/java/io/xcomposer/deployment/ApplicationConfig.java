package io.xcomposer.deployment;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A module's {@code src/main/resources/application.yml}, flattened to property names.
 *
 * @param module the module
 * @param properties every key, dotted, with list items as {@code [n]}, to its raw value
 */
record ApplicationConfig(String module, Map<String, String> properties) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.-]+)(?::([^}]*))?}");

    static ApplicationConfig of(String module) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", DeploymentFiles.yaml(DeploymentFiles.applicationYaml(module)), flat);
        return new ApplicationConfig(module, flat);
    }

    private static void flatten(String prefix, Object node, Map<String, String> into) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> flatten(prefix.isEmpty() ? key.toString() : prefix + "." + key, value, into));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), into);
            }
            into.put(prefix, String.valueOf(list));
        } else {
            into.put(prefix, String.valueOf(node));
        }
    }

    /** The value a key takes when no placeholder is set: {@code ${PORT:8081}} gives 8081. */
    String effective(String key) {
        String raw = this.properties.get(key);
        if (raw == null) {
            throw new AssertionError(this.module + "'s application.yml has no " + key);
        }
        Matcher placeholder = PLACEHOLDER.matcher(raw);
        return placeholder.matches() ? placeholder.group(2) : raw;
    }

    int port(String key) {
        return Integer.parseInt(effective(key));
    }

    /** Names the file reads through placeholders ({@code ${XCOMPOSER_SERVICE_TOKEN:}}): environment names it takes. */
    Set<String> placeholders() {
        Set<String> names = new LinkedHashSet<>();
        for (String value : this.properties.values()) {
            Matcher placeholder = PLACEHOLDER.matcher(value);
            while (placeholder.find()) {
                names.add(placeholder.group(1));
            }
        }
        return names;
    }
}
