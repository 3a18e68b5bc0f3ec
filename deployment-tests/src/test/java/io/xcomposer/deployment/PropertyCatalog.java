package io.xcomposer.deployment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.net.URL;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The properties one module binds: its {@code @ConfigurationProperties} records (read by reflection), its
 * application.yml, and Spring Boot's own (the {@code spring-configuration-metadata.json} of every jar on the class
 * path). {@link #accepts} decides for an environment variable the way Spring's binder does, through Spring's own
 * relaxed-binding mapping of system-environment names.
 *
 * @param module the module
 * @param names property names in canonical form; list items as {@code [*]}
 * @param mapPrefixes properties of map type: any key below them binds
 * @param environmentNames names the module's application.yml reads through placeholders
 */
record PropertyCatalog(String module, Set<String> names, Set<String> mapPrefixes, Set<String> environmentNames) {

    /** The packages whose configuration each runnable module carries (its own, and the libraries it uses). */
    private static final Map<String, List<String>> PACKAGES = Map.of(
            "gateway-service", List.of("io.xcomposer.gateway", "io.xcomposer.common"),
            "comprehension-service",
                    List.of("io.xcomposer.comprehension", "io.xcomposer.common", "io.xcomposer.inference.client"),
            "composition-service",
                    List.of("io.xcomposer.composition", "io.xcomposer.common", "io.xcomposer.inference.client"),
            "retrieval-service",
                    List.of("io.xcomposer.retrieval", "io.xcomposer.common", "io.xcomposer.inference.client"),
            "cpu-inference-server", List.of("io.xcomposer.inference.server"));

    private static final int MAX_LIST_INDEX = 10;

    private static volatile Spring spring;

    static PropertyCatalog of(String module) {
        List<String> packages = PACKAGES.get(module);
        if (packages == null) {
            throw new IllegalArgumentException("not a runnable module: " + module);
        }
        Set<String> names = new LinkedHashSet<>();
        Set<String> maps = new LinkedHashSet<>();
        for (Class<?> type : configurationPropertiesTypes(packages)) {
            ConfigurationProperties annotation =
                    AnnotatedElementUtils.findMergedAnnotation(type, ConfigurationProperties.class);
            collect(annotation.prefix(), type, names, maps);
        }
        ApplicationConfig yaml = ApplicationConfig.of(module);
        yaml.properties().keySet().forEach(key -> names.add(key.replaceAll("\\[\\d+]", "[*]")));
        Spring boot = springBoot();
        names.addAll(boot.names());
        maps.addAll(boot.mapPrefixes());
        return new PropertyCatalog(module, names, maps, yaml.placeholders());
    }

    /** Whether setting this environment variable sets a property the module has. */
    boolean accepts(String environmentVariable) {
        if (this.environmentNames.contains(environmentVariable)) {
            return true;
        }
        // Spring applies its environment-variable mapping only to a source of this name.
        ConfigurationPropertySource source = ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(environmentVariable, "value")));
        for (String name : this.names) {
            for (String candidate : withIndexes(name)) {
                ConfigurationPropertyName property = ConfigurationPropertyName.ofIfValid(candidate);
                if (property != null && source.getConfigurationProperty(property) != null) {
                    return true;
                }
            }
        }
        ConfigurationPropertyName mapped = ((IterableConfigurationPropertySource) source)
                .stream().findFirst().orElseThrow();
        return this.mapPrefixes.stream()
                .anyMatch(prefix -> ConfigurationPropertyName.of(prefix).isAncestorOf(mapped));
    }

    private static List<String> withIndexes(String name) {
        if (!name.contains("[*]")) {
            return List.of(name);
        }
        return IntStream.range(0, MAX_LIST_INDEX)
                .mapToObj(i -> name.replaceFirst("\\[\\*]", "[" + i + "]"))
                .flatMap(n -> withIndexes(n).stream())
                .toList();
    }

    private static List<Class<?>> configurationPropertiesTypes(List<String> packages) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        return packages.stream()
                .flatMap(p -> scanner.findCandidateComponents(p).stream())
                .map(BeanDefinition::getBeanClassName)
                .distinct()
                .<Class<?>>map(name -> ClassUtils.resolveClassName(name, PropertyCatalog.class.getClassLoader()))
                .toList();
    }

    private static void collect(String prefix, Class<?> type, Set<String> names, Set<String> maps) {
        if (!type.isRecord()) {
            throw new IllegalStateException(type + " is not a record: teach PropertyCatalog its properties");
        }
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + kebab(component.getName());
            Class<?> raw = component.getType();
            if (raw.isRecord()) {
                collect(name, raw, names, maps);
            } else if (Map.class.isAssignableFrom(raw)) {
                maps.add(name);
            } else if (Collection.class.isAssignableFrom(raw)) {
                names.add(name);
                Class<?> element = elementType(component.getGenericType());
                if (element != null && element.isRecord()) {
                    collect(name + "[*]", element, names, maps);
                } else {
                    names.add(name + "[*]");
                }
            } else {
                names.add(name);
            }
        }
    }

    private static Class<?> elementType(Type generic) {
        if (generic instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments()[0] instanceof Class<?> element) {
            return element;
        }
        return null;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    private static Spring springBoot() {
        if (spring == null) {
            spring = Spring.read();
        }
        return spring;
    }

    /** Spring Boot's own properties, from the configuration metadata its jars ship. */
    private record Spring(Set<String> names, Set<String> mapPrefixes) {

        static Spring read() {
            Set<String> names = new HashSet<>();
            Set<String> maps = new HashSet<>();
            JsonMapper json = JsonMapper.builder().build();
            try {
                for (URL url : Collections.list(PropertyCatalog.class
                        .getClassLoader()
                        .getResources("META-INF/spring-configuration-metadata.json"))) {
                    try (InputStream in = url.openStream()) {
                        for (JsonNode property : json.readTree(in).path("properties")) {
                            String name = property.path("name").asString();
                            names.add(name);
                            if (property.path("type").asString("").startsWith("java.util.Map<")) {
                                maps.add(name);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (names.isEmpty()) {
                throw new IllegalStateException("no Spring Boot configuration metadata on the class path");
            }
            return new Spring(Set.copyOf(names), Set.copyOf(maps));
        }
    }
}
