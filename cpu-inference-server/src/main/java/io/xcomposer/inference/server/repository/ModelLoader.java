package io.xcomposer.inference.server.repository;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.runtime.ModelBackend;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.nio.file.Path;
import java.util.List;
import org.springframework.stereotype.Component;

/** Opens a model with the backend that serves its config. */
@Component
public class ModelLoader {

    private final List<ModelBackend> backends;

    public ModelLoader(List<ModelBackend> backends) {
        this.backends = List.copyOf(backends);
    }

    ServedModel load(ModelConfig config, Path versionDir) throws Exception {
        for (ModelBackend backend : backends) {
            if (backend.serves(config)) {
                return backend.load(config, versionDir);
            }
        }
        throw new IllegalArgumentException("unsupported backend '" + config.getBackend() + "' / platform '"
                + config.getPlatform() + "'; this server runs onnxruntime and onnx_decoder");
    }
}
