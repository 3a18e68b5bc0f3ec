package io.xcomposer.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.gateway.GatewayApplication;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code --create-key=NAME} against a real redis-server: the run prints the id and the secret on two lines, makes
 * no bootstrap key, and the printed secret is a stored, unrevoked key.
 */
@ExtendWith(OutputCaptureExtension.class)
class CreateKeyCommandIntegrationTests {

    private static final Pattern PRINTED = Pattern.compile("id:  (\\S+)\\R+key: (\\S+)");

    @Test
    void createKey_printsIdAndSecretOfAStoredKey(CapturedOutput output) {
        try (RedisServerProcess redis = RedisServerProcess.start();
                ConfigurableApplicationContext context = run(redis, "--create-key=ops-cli")) {
            Matcher printed = PRINTED.matcher(output.getOut());
            assertThat(printed.find())
                    .as("id and key lines in %s", output.getOut())
                    .isTrue();
            ApiKey stored = context.getBean(ApiKeyStore.class)
                    .findBySecret(printed.group(2))
                    .block(Duration.ofSeconds(10));
            assertThat(stored).isNotNull();
            assertThat(stored.id()).isEqualTo(printed.group(1));
            assertThat(stored.name()).isEqualTo("ops-cli");
            assertThat(stored.revoked()).isFalse();
            assertThat(context.getBean(ApiKeyStore.class).count().block(Duration.ofSeconds(10)))
                    .as("only the key asked for: no bootstrap key")
                    .isEqualTo(1);
        }
    }

    @Test
    void createKey_withoutName_isRefused() {
        try (RedisServerProcess redis = RedisServerProcess.start()) {
            assertThatThrownBy(() -> run(redis, "--create-key").close())
                    .hasStackTraceContaining("--create-key takes one key name");
        }
    }

    @Test
    void requested_onlyForTheOption() {
        assertThat(CreateKeyCommand.requested("--create-key=a", "--server.port=0"))
                .isTrue();
        assertThat(CreateKeyCommand.requested("--server.port=0")).isFalse();
        assertThat(CreateKeyCommand.requested("create-key=a")).isFalse();
    }

    /** What {@code GatewayApplication.main} starts for the command, minus its {@code System.exit}. */
    private static ConfigurableApplicationContext run(RedisServerProcess redis, String... command) {
        String[] args = new String[command.length + 4];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--spring.data.redis.host=" + redis.host();
        args[command.length + 1] = "--spring.data.redis.port=" + redis.port();
        args[command.length + 2] = "--xcomposer.gateway.bootstrap-key=true";
        args[command.length + 3] = "--spring.jmx.enabled=false";
        return new SpringApplicationBuilder(GatewayApplication.class, InJvmService.OwnNettyResources.class)
                .web(WebApplicationType.NONE)
                .run(args);
    }
}
