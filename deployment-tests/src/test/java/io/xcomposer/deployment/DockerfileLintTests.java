package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The Dockerfiles through npm's dockerfilelint (there is no hadolint package for these machines) and the platform's
 * rules for its images. npm must be on the PATH; the build machines have Node, and the linter is fetched from the npm
 * registry by {@code npm exec} on first use.
 */
class DockerfileLintTests {

    /** Pinned: a newer linter may judge differently. */
    private static final String LINTER = "dockerfilelint@1.8.0";

    private static final long LINT_TIMEOUT_SECONDS = 300;

    static final List<String> MODULES = DeploymentFiles.RUNNABLE_MODULES;

    @BeforeAll
    static void npmIsInstalled() throws InterruptedException {
        try {
            Process npm = new ProcessBuilder("npm", "--version")
                    .redirectErrorStream(true)
                    .start();
            assertThat(npm.waitFor(60, TimeUnit.SECONDS) && npm.exitValue() == 0)
                    .isTrue();
        } catch (IOException | AssertionError e) {
            throw new AssertionError("npm is needed to lint the Dockerfiles (" + LINTER + "); install Node.js", e);
        }
    }

    @ParameterizedTest
    @FieldSource("MODULES")
    void passesTheLinter(String module) throws Exception {
        Lint lint = lint(DeploymentFiles.dockerfile(module));
        assertThat(lint.exitCode()).as("%s:%n%s", module, lint.output()).isZero();
        assertThat(lint.output()).contains("Issues: None found");
    }

    @Test
    void theLinterFailsADockerfileWithIssues(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("Dockerfile");
        Files.writeString(bad, "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n");
        Lint lint = lint(bad);
        assertThat(lint.exitCode()).isNotZero();
        assertThat(lint.output()).contains("--no-install-recommends");
    }

    @ParameterizedTest
    @FieldSource("MODULES")
    void buildsTheModuleAndRunsItAsANonRootUserWithAHealthCheck(String module) {
        String dockerfile = DeploymentFiles.read(DeploymentFiles.dockerfile(module));
        assertThat(count(dockerfile, "(?m)^FROM ")).as("multi-stage").isEqualTo(2);
        assertThat(dockerfile)
                .contains("FROM eclipse-temurin:${JAVA_VERSION}-jdk AS build")
                .contains("FROM eclipse-temurin:${JAVA_VERSION}-jre")
                .contains("./mvnw -B -ntp -q -pl " + module + " -am package")
                .contains(module + "/target/" + module + "-*-exec.jar")
                .contains("-Djarmode=tools -jar /tmp/app.jar extract --layers --launcher")
                .contains("ENV XCOMPOSER_BIND_ADDRESS=0.0.0.0")
                .contains("COPY scripts/jvm.options /app/jvm.options")
                .contains(entrypoint(module))
                .containsPattern("(?m)^USER 10001:10001$")
                .containsPattern(
                        "(?m)^HEALTHCHECK .*CMD \\[\"http-health\", \"\\d+\", \"/actuator/health/readiness\"]$")
                .doesNotContainPattern("(?i)(TOKEN|PASSWORD|SECRET)\\s*=");
        String pom = DeploymentFiles.read(DeploymentFiles.root().resolve("pom.xml"));
        assertThat(dockerfile)
                .as("the JRE of the release the build compiles for")
                .contains("ARG JAVA_VERSION=" + group(pom, "<java.version>(\\d+)</java.version>"));
        int healthPort = Integer.parseInt(group(dockerfile, "CMD \\[\"http-health\", \"(\\d+)\""));
        assertThat(healthPort).isEqualTo(ApplicationConfig.of(module).port("server.port"));
    }

    /** The platform's JVM options, then the module's own file where it has one (scripts/run passes the same). */
    private static String entrypoint(String module) {
        boolean ownOptions = Files.exists(DeploymentFiles.root().resolve(module).resolve("jvm.options"));
        String own = ownOptions ? "\"@/app/" + module.replace("-service", "") + "-jvm.options\", " : "";
        return "ENTRYPOINT [\"java\", \"@/app/jvm.options\", " + own
                + "\"org.springframework.boot.loader.launch.JarLauncher\"]";
    }

    @Test
    void theRetrievalImageAddsTheVectorApiModuleLuceneScoresWith() {
        assertThat(DeploymentFiles.read(DeploymentFiles.dockerfile("retrieval-service")))
                .contains("COPY retrieval-service/jvm.options /app/retrieval-jvm.options")
                .contains(entrypoint("retrieval-service"));
        assertThat(DeploymentFiles.read(DeploymentFiles.root().resolve("retrieval-service/jvm.options")))
                .contains("--add-modules jdk.incubator.vector");
    }

    @Test
    void theCpuServerImageCarriesTheTinyRepository() {
        assertThat(DeploymentFiles.read(DeploymentFiles.dockerfile("cpu-inference-server")))
                .contains("COPY model-repository/tiny /models/tiny")
                .contains("ENV XCOMPOSER_SERVER_REPOSITORY=/models/tiny");
    }

    private record Lint(int exitCode, String output) {}

    private static Lint lint(Path dockerfile) throws IOException, InterruptedException {
        List<String> command = List.of("npm", "exec", "--yes", LINTER, "--", dockerfile.toString());
        Path output = Files.createTempFile("dockerfilelint", ".txt");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(LINT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the linter did not finish in " + LINT_TIMEOUT_SECONDS + " s");
            }
            return new Lint(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int count(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    private static String group(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as("%s in the file", regex).isTrue();
        return matcher.group(1);
    }
}
