package io.xcomposer.gateway.auth;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.DefaultApplicationArguments;
import org.springframework.stereotype.Component;

/**
 * {@code --create-key=NAME}: creates an API key (default limits) in the configured Redis and prints its id and
 * secret, for operators without the admin token at hand. Spring parses the option ({@link ApplicationArguments});
 * {@code GatewayApplication} starts such a run without a web server and exits after it.
 */
@Component
public class CreateKeyCommand implements ApplicationRunner {

    public static final String OPTION = "create-key";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ApiKeyStore store;

    public CreateKeyCommand(ApiKeyStore store) {
        this.store = store;
    }

    /** Whether the command line asks for a key (and so for no web server). */
    public static boolean requested(String... args) {
        return new DefaultApplicationArguments(args).containsOption(OPTION);
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!args.containsOption(OPTION)) {
            return;
        }
        List<String> names = args.getOptionValues(OPTION);
        if (names.size() != 1 || names.getFirst().isBlank()) {
            throw new IllegalArgumentException("--" + OPTION + " takes one key name: --" + OPTION + "=NAME");
        }
        CreatedKey created = store.create(names.getFirst(), 0, 0).block(TIMEOUT);
        if (created == null) {
            throw new IllegalStateException("No key was created");
        }
        System.out.println("id:  " + created.key().id());
        System.out.println("key: " + created.secret());
    }
}
