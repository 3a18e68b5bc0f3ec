package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.xcomposer.deployment.RenderedChart.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Every setting the chart and the compose file pass to the platform's processes (environment variables in Spring's
 * relaxed form, config-tree secrets) must be a property that process has: a misspelt key would be ignored silently
 * and the default would run in production.
 */
class PropertyNamesTests {

    /** Which module runs in each chart container (the rest are not the platform's own: Triton, Redis, init). */
    private static final Map<String, String> CHART_CONTAINERS = Map.of(
            "gateway", "gateway-service",
            "comprehension", "comprehension-service",
            "composition", "composition-service",
            "retrieval", "retrieval-service",
            "model-server", "cpu-inference-server");

    private final Map<String, PropertyCatalog> catalogs = new ConcurrentHashMap<>();

    @Test
    void everyEnvironmentVariableTheChartSetsIsAProperty() {
        Map<String, List<String>> set = new LinkedHashMap<>();
        for (RenderedChart chart : List.of(
                RenderedChart.defaults(),
                RenderedChart.gpu(),
                RenderedChart.render(List.of(), Map.of("redis.enabled", "false", "externalRedis.host", "redis")),
                RenderedChart.render(
                        List.of(), Map.of("redis.enabled", "false", "externalRedis.cluster.nodes[0]", "r:6379")))) {
            for (Workload workload : chart.workloads()) {
                for (Container container : workload.containers()) {
                    String module = CHART_CONTAINERS.get(container.getName());
                    if (module != null) {
                        container.getEnv().stream()
                                .map(EnvVar::getName)
                                .forEach(name -> set.computeIfAbsent(module, m -> new ArrayList<>())
                                        .add(name));
                    }
                }
            }
        }
        assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(CHART_CONTAINERS.values());
        assertThat(unknown(set)).as("settings no property of the module takes").isEmpty();
    }

    @Test
    void everyEnvironmentVariableAndSecretTheComposeFileSetsIsAProperty() {
        Map<String, List<String>> set = composeSettings(DeploymentFiles.yaml(DeploymentFiles.composeFile()));
        assertThat(set.keySet()).containsExactlyInAnyOrderElementsOf(DeploymentFiles.RUNNABLE_MODULES);
        assertThat(set.values().stream().mapToInt(List::size).sum()).isGreaterThan(20);
        assertThat(unknown(set)).as("settings no property of the module takes").isEmpty();
    }

    @Test
    void theModelServersAddressHasOneShortNameInEveryService() {
        Map<String, List<String>> addressNames = new LinkedHashMap<>();
        for (String module : DeploymentFiles.RUNNABLE_MODULES) {
            ApplicationConfig config = ApplicationConfig.of(module);
            if (config.properties().containsKey("xcomposer.inference.port")) {
                addressNames.put(
                        module,
                        List.of(
                                config.properties().get("xcomposer.inference.host"),
                                config.properties().get("xcomposer.inference.port")));
            }
        }
        assertThat(addressNames)
                .containsOnlyKeys("comprehension-service", "composition-service", "retrieval-service")
                .allSatisfy((module, names) -> assertThat(names)
                        .as(module)
                        .containsExactly("${INFERENCE_HOST:127.0.0.1}", "${INFERENCE_PORT:8001}"));
        // The long names the chart and the compose file set bind in each of them too (Spring's relaxed binding).
        addressNames
                .keySet()
                .forEach(module -> assertThat(catalog(module).accepts("XCOMPOSER_INFERENCE_PORT"))
                        .as(module)
                        .isTrue());
    }

    @Test
    void aMisspeltKeyIsReported() {
        Map<String, Object> compose = DeploymentFiles.yaml(DeploymentFiles.composeFile());
        Map<String, Object> gateway = service(compose, "gateway-service");
        Map<String, Object> environment = new LinkedHashMap<>(mapAt(gateway, "environment"));
        environment.put("XCOMPOSER_GATEWAY_COMPREHENSIONURLL", "http://comprehension-service:8081");
        gateway.put("environment", environment);

        assertThat(unknown(composeSettings(compose)))
                .containsExactly("gateway-service: XCOMPOSER_GATEWAY_COMPREHENSIONURLL");
    }

    @Test
    void relaxedBindingDecidesLikeSpring() {
        PropertyCatalog gateway = catalog("gateway-service");
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_COMPREHENSIONURL")).isTrue();
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_LIMITS_REQUESTSPERMINUTE"))
                .isTrue();
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_MODELS_0_VISION")).isTrue();
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_MODELS_0_CONTEXTLENGTH"))
                .as("the context length comes from the served model, not the gateway's settings")
                .isFalse();
        assertThat(gateway.accepts("SPRING_DATA_REDIS_SENTINEL_NODES")).isTrue();
        assertThat(gateway.accepts("XCOMPOSER_ADMIN_TOKEN"))
                .as("a placeholder of application.yml")
                .isTrue();
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_COMPRHENSIONURL")).isFalse();
        assertThat(gateway.accepts("XCOMPOSER_GATEWAY_MODELS_0_CONTEXT")).isFalse();
        assertThat(gateway.accepts("SPRING_DATA_REDIS_HOTS")).isFalse();
        assertThat(gateway.accepts("XCOMPOSER_RETRIEVAL_SEEDGALLERY"))
                .as("retrieval's, not the gateway's")
                .isFalse();
        assertThat(catalog("retrieval-service").accepts("XCOMPOSER_RETRIEVAL_SEEDGALLERY"))
                .isTrue();
        assertThat(catalog("cpu-inference-server").accepts("XCOMPOSER_SERVER_MAXCONCURRENTGENERATIONS"))
                .isTrue();
        // docs/operations.md names the underscore form, which Spring also binds (its legacy mapping of dashes).
        assertThat(catalog("composition-service").accepts("XCOMPOSER_COMPOSITION_LEASE_REPLICA_ID"))
                .isTrue();
    }

    /** Module to the names its compose service sets: environment keys and secrets (config-tree file names). */
    private static Map<String, List<String>> composeSettings(Map<String, Object> compose) {
        Map<String, List<String>> set = new LinkedHashMap<>();
        for (String module : DeploymentFiles.RUNNABLE_MODULES) {
            Map<String, Object> service = service(compose, module);
            List<String> names = new ArrayList<>(mapAt(service, "environment").keySet());
            Object secrets = service.get("secrets");
            if (secrets instanceof List<?> list) {
                list.forEach(secret -> names.add(secret.toString()));
            }
            set.put(module, names);
        }
        return set;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(Map<String, Object> compose, String name) {
        return (Map<String, Object>) mapAt(compose, "services").get(name);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapAt(Map<String, Object> map, String key) {
        return (Map<String, Object>) map.getOrDefault(key, Map.of());
    }

    private List<String> unknown(Map<String, List<String>> settings) {
        List<String> unknown = new ArrayList<>();
        settings.forEach((module, names) -> names.stream()
                .distinct()
                .filter(name -> !catalog(module).accepts(name))
                .forEach(name -> unknown.add(module + ": " + name)));
        return unknown;
    }

    private PropertyCatalog catalog(String module) {
        return this.catalogs.computeIfAbsent(module, PropertyCatalog::of);
    }
}
