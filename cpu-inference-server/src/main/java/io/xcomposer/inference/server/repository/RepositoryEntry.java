package io.xcomposer.inference.server.repository;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.util.Optional;

/**
 * One model folder of the repository and what became of it.
 *
 * @param config the parsed config; the default instance when the file could not be parsed.
 * @param reason why the model is unavailable; empty when ready.
 * @param model the loaded model, absent when unavailable.
 */
public record RepositoryEntry(
        String name, String version, ModelConfig config, ModelState state, String reason, Optional<ServedModel> model) {

    static RepositoryEntry ready(ServedModel model) {
        return new RepositoryEntry(
                model.config().getName(), model.version(), model.config(), ModelState.READY, "", Optional.of(model));
    }

    static RepositoryEntry unavailable(String name, String version, ModelConfig config, String reason) {
        return new RepositoryEntry(name, version, config, ModelState.UNAVAILABLE, reason, Optional.empty());
    }

    public boolean isReady() {
        return state == ModelState.READY;
    }
}
