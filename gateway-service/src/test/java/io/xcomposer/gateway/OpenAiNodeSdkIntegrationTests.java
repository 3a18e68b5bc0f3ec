package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.RealPlatform;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm SDK (pinned in src/test/node/package-lock.json, installed here with
 * {@code npm ci}) against the real platform: streamed and non-streamed chat with an image, models, embeddings,
 * completions, logprobs, n, and each error class (401, 400 for an unsupported parameter, 404 model, 429). The
 * suite itself is src/test/node/sdk-suite.mjs; this test starts the stack, hands it the address and keys, and
 * requires every check to pass. Skipped, saying why, only where Node.js is not installed.
 */
class OpenAiNodeSdkIntegrationTests {

    private static final Path SUITE = Path.of("src/test/node").toAbsolutePath();

    /** Held-out VQA item 237, which the tiny model answers correctly (as in FullStackIntegrationTests). */
    private static final String IMAGE = "images/00237-0.png";

    private static final List<String> CHECKS = List.of(
            "models",
            "chat with an image",
            "streamed chat with an image and usage",
            "embeddings",
            "completions",
            "logprobs",
            "n",
            "401 unknown key",
            "400 unsupported parameter",
            "404 unknown model",
            "429 over the rate limit");

    @BeforeAll
    static void requireNode() {
        assumeTrue(runs("node", "--version") && runs("npm", "--version"), "Node.js (node and npm) is not installed");
    }

    @Test
    void theOfficialNodeSdkWorksAgainstThePlatform() throws Exception {
        Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(5));
        assertThat(install.exitCode()).as("npm ci\n" + install.output()).isZero();
        RealPlatform platform = RealPlatform.get();
        String limited = platform.gateway()
                .getBean(ApiKeyStore.class)
                .create("node-sdk-limited", 1, 0)
                .block(Duration.ofSeconds(10))
                .secret();

        Result suite = run(
                List.of("node", "sdk-suite.mjs"),
                Map.of(
                        "XC_BASE_URL",
                        platform.url() + "/v1",
                        "XC_KEY",
                        platform.newKey("node-sdk"),
                        "XC_LIMITED_KEY",
                        limited,
                        "XC_IMAGE",
                        platform.evalFile(IMAGE).toString(),
                        "XC_QUESTION",
                        "How many shapes are there?",
                        "XC_ANSWER",
                        "1.",
                        "XC_CONTEXT_LENGTH",
                        String.valueOf(tinyContextLength())),
                Duration.ofMinutes(4));

        assertThat(suite.exitCode()).as(suite.output()).isZero();
        for (String check : CHECKS) {
            assertThat(suite.output()).as(suite.output()).contains("PASS " + check + "\n");
        }
    }

    /** {@code max_model_len} must be the model's own {@code context_length} (model-repository/tiny/llm). */
    private static int tinyContextLength() throws IOException {
        Path config =
                Path.of(System.getProperty("model.repository", "../model-repository/tiny"), "llm", "config.pbtxt");
        Matcher value = Pattern.compile("key: \"context_length\" value: \\{ string_value: \"(\\d+)\" }")
                .matcher(Files.readString(config));
        assertThat(value.find()).isTrue();
        return Integer.parseInt(value.group(1));
    }

    private static boolean runs(String... command) {
        try {
            return run(List.of(command), Map.of(), Duration.ofSeconds(20)).exitCode() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static Result run(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        File log = File.createTempFile("node-suite", ".log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(SUITE.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log);
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out after " + timeout + "\n" + Files.readString(log.toPath()));
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        Files.delete(log.toPath());
        return new Result(process.exitValue(), output);
    }

    private record Result(int exitCode, String output) {}
}
