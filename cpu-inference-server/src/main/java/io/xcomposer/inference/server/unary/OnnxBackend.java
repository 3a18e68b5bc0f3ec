package io.xcomposer.inference.server.unary;

import ai.onnxruntime.OrtEnvironment;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.runtime.ModelBackend;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** {@code backend: "onnxruntime"} (or {@code platform: "onnxruntime_onnx"}): one graph, one response per request. */
@Component
class OnnxBackend implements ModelBackend {

    static final String ONNXRUNTIME = "onnxruntime";
    static final String ONNXRUNTIME_PLATFORM = "onnxruntime_onnx";

    private final OrtEnvironment environment;
    private final int intraOpThreads;

    OnnxBackend(OrtEnvironment environment, ServerProperties properties) {
        this.environment = environment;
        this.intraOpThreads = properties.intraOpThreads();
    }

    @Override
    public boolean serves(ModelConfig config) {
        return ONNXRUNTIME.equals(config.getBackend()) || ONNXRUNTIME_PLATFORM.equals(config.getPlatform());
    }

    @Override
    public ServedModel load(ModelConfig config, Path versionDir) throws Exception {
        if (config.getModelTransactionPolicy().getDecoupled()) {
            throw new IllegalArgumentException("backend onnxruntime cannot serve a decoupled model");
        }
        return UnaryModel.load(environment, config, versionDir, intraOpThreads);
    }
}
