package io.xcomposer.gateway.support;

import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The chat path, real: the shared redis-server, the CPU inference server on model-repository/tiny, the real
 * comprehension-service and a gateway routing chat to it, each on a free loopback port (lighter than
 * {@link RealPlatform}, and with settings of its own per test class).
 */
public final class ComprehensionStack implements AutoCloseable {

    public final EmbeddedInferenceServer model;
    public final ConfigurableApplicationContext comprehension;
    public final ConfigurableApplicationContext gateway;
    public final int port;

    /**
     * @param modelSettings {@code key=value} settings of the model server
     * @param comprehensionArgs further {@code --key=value} arguments of comprehension-service
     * @param gatewayArgs further {@code --key=value} arguments of the gateway
     */
    public ComprehensionStack(List<String> modelSettings, List<String> comprehensionArgs, List<String> gatewayArgs) {
        RedisServerProcess redis = RedisServerProcess.shared();
        model = EmbeddedInferenceServer.start(
                Path.of(System.getProperty("model.repository")), modelSettings.toArray(String[]::new));
        List<String> comprehensionAll = new ArrayList<>(List.of(
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + redis.port(),
                "--xcomposer.inference.host=127.0.0.1",
                "--xcomposer.inference.port=" + model.port(),
                "--xcomposer.comprehension.model-name=xcomposer-tiny"));
        comprehensionAll.addAll(comprehensionArgs);
        comprehension = InJvmService.start(ComprehensionApplication.class, comprehensionAll.toArray(String[]::new));
        List<String> gatewayAll = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.data.redis.port=" + redis.port(),
                "--xcomposer.gateway.comprehension-url=" + InJvmService.url(comprehension),
                "--xcomposer.gateway.bootstrap-key=false"));
        gatewayAll.addAll(gatewayArgs);
        gateway = StandaloneGateway.start(gatewayAll.toArray(String[]::new));
        port = StandaloneGateway.port(gateway);
    }

    @Override
    public void close() {
        gateway.close();
        comprehension.close();
        model.close();
    }
}
