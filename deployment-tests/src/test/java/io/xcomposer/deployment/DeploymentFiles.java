package io.xcomposer.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Where the deployment files are (the repository root, passed by the build as {@code project.root}). */
final class DeploymentFiles {

    /** The runnable modules, each with a Dockerfile. */
    static final List<String> RUNNABLE_MODULES = List.of(
            "gateway-service",
            "comprehension-service",
            "composition-service",
            "retrieval-service",
            "cpu-inference-server");

    private DeploymentFiles() {}

    static Path root() {
        return Path.of(System.getProperty("project.root", ".."))
                .toAbsolutePath()
                .normalize();
    }

    static Path chart() {
        return root().resolve("helm/xcomposer");
    }

    static Path composeFile() {
        return root().resolve("docker-compose.yml");
    }

    static Path dockerfile(String module) {
        return root().resolve(module).resolve("Dockerfile");
    }

    static Path applicationYaml(String module) {
        return root().resolve(module).resolve("src/main/resources/application.yml");
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One YAML document as maps and lists (anchors and merge keys resolved, as Compose does). */
    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(200);
        return (Map<String, Object>) new Yaml(options).load(read(file));
    }
}
