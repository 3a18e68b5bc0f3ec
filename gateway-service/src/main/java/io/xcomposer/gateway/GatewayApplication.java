package io.xcomposer.gateway;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.auth.CreatedKey;
import io.xcomposer.gateway.config.GatewayProperties;
import java.time.Duration;
import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway. {@code java -jar gateway.jar --create-key=NAME} creates an API key in the configured Redis, prints
 * it and exits (no web server), for operators without the admin token at hand. The error shape, its handler and
 * {@code X-Request-Id} come from platform-web's auto-configuration.
 */
@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    public static void main(String[] args) {
        String keyName = Arrays.stream(args)
                .filter(arg -> arg.startsWith("--create-key="))
                .map(arg -> arg.substring("--create-key=".length()))
                .findFirst()
                .orElse(null);
        if (keyName != null) {
            createKeyAndExit(keyName, args);
            return;
        }
        SpringApplication.run(GatewayApplication.class, args);
    }

    private static void createKeyAndExit(String name, String[] args) {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run(args)) {
            CreatedKey created =
                    context.getBean(ApiKeyStore.class).create(name, 0, 0).block(Duration.ofSeconds(10));
            if (created == null) {
                throw new IllegalStateException("No key was created");
            }
            System.out.println("id:  " + created.key().id());
            System.out.println("key: " + created.secret());
        }
    }
}
