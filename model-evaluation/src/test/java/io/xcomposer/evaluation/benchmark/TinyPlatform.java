package io.xcomposer.evaluation.benchmark;

import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.gateway.GatewayApplication;
import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The serving path a client of the chat API uses, real and in this JVM: redis-server, the CPU inference server on
 * model-repository/tiny, comprehension-service and the gateway in front of it, each on its own free port over
 * real HTTP/gRPC, authenticated hop by hop with one service token. Composition and retrieval are not started:
 * the benchmarks use only {@code /v1/chat/completions} (their gateway routes point at a closed port). Started
 * once per test JVM; nothing is closed at exit (the services' shutdown would race the test Redis's own hook).
 */
final class TinyPlatform {

    static final String MODEL = "xcomposer-tiny";

    private static TinyPlatform shared;

    private final ConfigurableApplicationContext gateway;

    private TinyPlatform() {
        Path repository = Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
        String token = "st-" + UUID.randomUUID();
        RedisServerProcess redis = RedisServerProcess.shared();
        EmbeddedInferenceServer model =
                EmbeddedInferenceServer.start(repository, "xcomposer.server.service-token=" + token);
        String serviceToken = "--xcomposer.security.service-token=" + token;
        String redisHost = "--spring.data.redis.host=" + redis.host();
        String redisPort = "--spring.data.redis.port=" + redis.port();
        ConfigurableApplicationContext comprehension = InJvmService.start(
                ComprehensionApplication.class,
                false,
                redisHost,
                redisPort,
                "--xcomposer.inference.host=127.0.0.1",
                "--xcomposer.inference.port=" + model.port(),
                "--xcomposer.comprehension.model-name=xcomposer-tiny",
                serviceToken);
        gateway = InJvmService.start(
                GatewayApplication.class,
                false,
                redisHost,
                redisPort,
                "--xcomposer.gateway.comprehension-url=" + InJvmService.url(comprehension),
                "--xcomposer.gateway.composition-url=http://127.0.0.1:9",
                "--xcomposer.gateway.retrieval-url=http://127.0.0.1:9",
                "--xcomposer.gateway.bootstrap-key=false",
                serviceToken);
    }

    static synchronized TinyPlatform get() {
        if (shared == null) {
            shared = new TinyPlatform();
        }
        return shared;
    }

    /** The gateway's base URL, as a client would configure it. */
    String url() {
        return InJvmService.url(gateway);
    }

    /** A new API key without limits. */
    String newKey(String name) {
        return gateway.getBean(ApiKeyStore.class)
                .create(name, 0, 0)
                .block(Duration.ofSeconds(10))
                .secret();
    }
}
