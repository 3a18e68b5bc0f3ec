package io.xcomposer.gateway.support;

import io.xcomposer.gateway.GatewayApplication;
import io.xcomposer.testsupport.InJvmService;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway started by hand (not through the test context cache). It gets its own Reactor Netty resources: with
 * the global ones, closing it would dispose the event loops that the cached test context and the loopback double
 * still use ({@code @SpringBootTest} guards against that the same way).
 */
public final class StandaloneGateway {

    private StandaloneGateway() {}

    public static ConfigurableApplicationContext start(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--spring.jmx.enabled=false");
        return new SpringApplicationBuilder(GatewayApplication.class, InJvmService.OwnNettyResources.class)
                .run(all.toArray(String[]::new));
    }

    public static int port(ConfigurableApplicationContext context) {
        return InJvmService.port(context);
    }
}
