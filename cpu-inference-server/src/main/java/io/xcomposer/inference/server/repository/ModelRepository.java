package io.xcomposer.inference.server.repository;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.InferenceException;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The models of a Triton-layout repository, loaded once at start-up. A model that fails to load is kept as an
 * UNAVAILABLE entry with its reason (as Triton's RepositoryIndex reports it) while the others serve.
 */
@Component
public class ModelRepository implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

    private final Map<String, RepositoryEntry> entries = new TreeMap<>();

    public ModelRepository(ServerProperties properties, ModelLoader loader) throws IOException {
        Path root = properties.repository().toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("model repository " + root + " is not a directory");
        }
        try (Stream<Path> folders = Files.list(root)) {
            folders.filter(folder -> Files.isRegularFile(folder.resolve("config.pbtxt")))
                    .sorted()
                    .forEach(folder -> entries.put(folder.getFileName().toString(), load(folder, loader)));
        }
        log.info(
                "Model repository {}: {}",
                root,
                entries.values().stream()
                        .map(entry -> entry.name() + "=" + entry.state())
                        .toList());
    }

    /**
     * The entry serving {@code name}; {@code version} may be empty (latest) or must equal the served version.
     *
     * @throws InferenceException NOT_FOUND for unknown models or versions.
     */
    public RepositoryEntry find(String name, String version) {
        RepositoryEntry entry = entries.get(name);
        if (entry == null) {
            throw InferenceException.notFound("Request for unknown model: '" + name + "' is not found");
        }
        if (!version.isEmpty() && !version.equals(entry.version())) {
            throw InferenceException.notFound(
                    "Request for unknown model: '" + name + "' version " + version + " is not found");
        }
        return entry;
    }

    /**
     * The loaded model behind {@code name}.
     *
     * @throws InferenceException NOT_FOUND for unknown models, UNAVAILABLE for models that failed to load.
     */
    public ServedModel require(String name, String version) {
        RepositoryEntry entry = find(name, version);
        return entry.model()
                .orElseThrow(() -> InferenceException.unavailable(
                        "Request for unknown model: '" + name + "' has no available versions: " + entry.reason()));
    }

    public List<RepositoryEntry> entries() {
        return List.copyOf(entries.values());
    }

    public boolean allReady() {
        return entries.values().stream().allMatch(RepositoryEntry::isReady);
    }

    public <T extends ServedModel> Stream<T> servedModels(Class<T> type) {
        return entries.values().stream()
                .flatMap(entry -> entry.model().stream())
                .filter(type::isInstance)
                .map(type::cast);
    }

    @Override
    public void destroy() {
        entries.values().forEach(entry -> entry.model().ifPresent(ServedModel::close));
    }

    private static RepositoryEntry load(Path folder, ModelLoader loader) {
        String name = folder.getFileName().toString();
        ModelConfig config = ModelConfig.getDefaultInstance();
        String version = "";
        try {
            config = ModelConfigParser.validate(name, ModelConfigParser.parse(folder.resolve("config.pbtxt")));
            version = VersionPolicy.select(folder, config);
            return RepositoryEntry.ready(loader.load(config, folder.resolve(version)));
        } catch (Exception e) {
            log.warn("Model '{}' is unavailable: {}", name, e.toString());
            String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            return RepositoryEntry.unavailable(name, version, config, reason);
        }
    }
}
