package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The compose file's Redis (its image and command) in a container: appendonly on, so what the services acknowledged
 * survives a restart. Needs a Docker engine; skipped without one (the build machines have none). Without Docker the
 * same Redis behaviour is covered by the services' tests against a real redis-server process (test-support).
 */
@Testcontainers(disabledWithoutDocker = true)
class RedisContainerTests {

    private static final Map<String, Object> REDIS = composeRedis();

    @Container
    @SuppressWarnings("unchecked")
    static final GenericContainer<?> CONTAINER = new GenericContainer<>((String) REDIS.get("image"))
            .withCommand(((List<String>) REDIS.get("command")).toArray(String[]::new))
            .withExposedPorts(6379);

    @Test
    void runsWithAnAppendOnlyFileAsComposeConfiguresIt() {
        RedisClient client = RedisClient.create(RedisURI.create(CONTAINER.getHost(), CONTAINER.getMappedPort(6379)));
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            assertThat(redis.configGet("appendonly")).containsEntry("appendonly", "yes");
            assertThat(redis.configGet("appendfsync")).containsEntry("appendfsync", "everysec");
            redis.set("xc:deployment-test", "kept");
            assertThat(redis.get("xc:deployment-test")).isEqualTo("kept");
        } finally {
            client.shutdown();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> composeRedis() {
        Map<String, Object> services = (Map<String, Object>)
                DeploymentFiles.yaml(DeploymentFiles.composeFile()).get("services");
        return (Map<String, Object>) services.get("redis");
    }
}
