package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * docker-compose.yml against the Compose Specification's JSON schema (vendored in test resources, see SOURCE.md there)
 * and the platform's rules for it. The file is read as Compose reads it: YAML anchors and merge keys resolved.
 */
class ComposeFileTests {

    private static final String SCHEMA_HOME =
            "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Set<String> BOTH_PROFILES =
            Set.of("redis", "gateway-service", "comprehension-service", "composition-service", "retrieval-service");

    private final Map<String, Object> compose = DeploymentFiles.yaml(DeploymentFiles.composeFile());

    @Test
    void conformsToTheComposeSpecification() {
        assertThat(validate(this.compose)).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSchemaCatchesAGpuReservationWithoutCapabilities() {
        Map<String, Object> broken = DeploymentFiles.yaml(DeploymentFiles.composeFile());
        Map<String, Object> triton = (Map<String, Object>) services(broken).get("triton");
        Map<String, Object> resources =
                (Map<String, Object>) ((Map<String, Object>) triton.get("deploy")).get("resources");
        List<Map<String, Object>> devices =
                (List<Map<String, Object>>) ((Map<String, Object>) resources.get("reservations")).get("devices");
        devices.get(0).remove("capabilities");
        assertThat(validate(broken)).anyMatch(message -> message.contains("capabilities"));
    }

    @Test
    void onlyTheGatewayIsPublished() {
        List<String> published = services(this.compose).entrySet().stream()
                .filter(e -> service(e.getKey()).containsKey("ports"))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(published).containsExactly("gateway-service");
    }

    @Test
    void everyServiceHasAHealthcheckAndWaitsForHealthyDependencies() {
        for (String name : services(this.compose).keySet()) {
            Map<String, Object> service = service(name);
            assertThat(service).as("healthcheck of %s", name).containsKey("healthcheck");
            Object dependsOn = service.getOrDefault("depends_on", Map.of());
            assertThat(dependsOn).as("depends_on of %s uses conditions", name).isInstanceOf(Map.class);
            ((Map<?, ?>) dependsOn)
                    .forEach((dependency, condition) -> assertThat(((Map<?, ?>) condition).get("condition"))
                            .as("%s waits for %s", name, dependency)
                            .isEqualTo("service_healthy"));
        }
        assertThat(service("retrieval-service").get("depends_on").toString()).contains("redis", "triton");
    }

    @Test
    void theCpuProfileIsTheDefaultAndTheGpuProfileRunsTritonOnAGpu() {
        for (String name : BOTH_PROFILES) {
            assertThat(strings(service(name).get("profiles"))).as(name).containsExactlyInAnyOrder("cpu", "gpu");
        }
        assertThat(strings(service("cpu-inference-server").get("profiles"))).containsExactly("cpu");
        assertThat(strings(service("triton").get("profiles"))).containsExactly("gpu");
        assertThat(DeploymentFiles.read(DeploymentFiles.root().resolve(".env"))).contains("COMPOSE_PROFILES=cpu");

        Map<String, Object> triton = service("triton");
        assertThat(triton.get("deploy").toString()).contains("capabilities=[gpu]", "driver=nvidia");
        assertThat(triton).containsKeys("shm_size", "ulimits");
        assertThat(triton.get("ulimits").toString()).contains("memlock=-1");
        assertThat(strings(triton.get("volumes")))
                .anyMatch(volume -> volume.startsWith("${XCOMPOSER_7B_REPOSITORY:-") && volume.endsWith(":/models:ro"));
    }

    @Test
    void redisKeepsAnAppendOnlyFileOnAVolumeAndTokensAreSecrets() {
        Map<String, Object> redis = service("redis");
        assertThat(strings(redis.get("command"))).containsSequence("--appendonly", "yes");
        assertThat(strings(redis.get("volumes"))).contains("redis-data:/data");
        for (String module : DeploymentFiles.RUNNABLE_MODULES) {
            assertThat(strings(service(module).get("secrets"))).as(module).contains("XCOMPOSER_SERVICE_TOKEN");
            assertThat(service(module).get("environment").toString())
                    .as("no token in the environment of %s", module)
                    .doesNotContain("TOKEN");
        }
    }

    private static List<String> validate(Map<String, Object> compose) {
        try (InputStream schemaFile = ComposeFileTests.class.getResourceAsStream("/compose-spec/compose-spec.json")) {
            // The schema's own $id is relative; anchor it at the file's home.
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
                    .getSchema(SchemaLocation.of(SCHEMA_HOME), schemaFile, InputFormat.JSON);
            JsonNode document = JSON.valueToTree(compose);
            return schema.validate(document).stream()
                    .map(Error::toString)
                    .collect(java.util.stream.Collectors.toCollection(TreeSet::new))
                    .stream()
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object list) {
        return (List<String>) list;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> services(Map<String, Object> compose) {
        return (Map<String, Object>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> service(String name) {
        return (Map<String, Object>) services(this.compose).get(name);
    }
}
