package io.xcomposer.inference.server.runtime;

import io.xcomposer.inference.grpc.ModelConfig;
import java.nio.file.Path;

/**
 * Loads the models of one {@code backend} kind. The repository asks each backend bean in turn, so it needs to know
 * none of them.
 */
public interface ModelBackend {

    /** Whether this backend serves {@code config} (by its {@code backend} or {@code platform}). */
    boolean serves(ModelConfig config);

    /** Opens the model in {@code versionDir}; an unsuitable config fails with IllegalArgumentException. */
    ServedModel load(ModelConfig config, Path versionDir) throws Exception;
}
