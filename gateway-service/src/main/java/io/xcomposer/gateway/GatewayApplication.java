package io.xcomposer.gateway;

import io.xcomposer.gateway.auth.CreateKeyCommand;
import io.xcomposer.gateway.config.GatewayProperties;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The gateway. {@code java -jar gateway.jar --create-key=NAME} creates an API key in the configured Redis, prints
 * it and exits (no web server; {@link CreateKeyCommand}), for operators without the admin token at hand. The error
 * shape, its handler and {@code X-Request-Id} come from platform-web's auto-configuration.
 */
@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        boolean createKey = CreateKeyCommand.requested(args);
        if (createKey) {
            // A one-off command: no web server to bind, and the JVM exits once the key is printed.
            app.setWebApplicationType(WebApplicationType.NONE);
        }
        ConfigurableApplicationContext context = app.run(args);
        if (createKey) {
            System.exit(SpringApplication.exit(context));
        }
    }
}
