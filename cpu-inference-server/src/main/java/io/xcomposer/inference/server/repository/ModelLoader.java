package io.xcomposer.inference.server.repository;

import ai.onnxruntime.OrtEnvironment;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.generation.DecoderModel;
import io.xcomposer.inference.server.unary.UnaryModel;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** Opens a model according to its backend. */
@Component
public class ModelLoader {

    static final String ONNXRUNTIME = "onnxruntime";
    static final String ONNXRUNTIME_PLATFORM = "onnxruntime_onnx";
    static final String ONNX_DECODER = "onnx_decoder";

    private final OrtEnvironment environment;
    private final int intraOpThreads;

    public ModelLoader(OrtEnvironment environment, ServerProperties properties) {
        this.environment = environment;
        this.intraOpThreads = properties.intraOpThreads();
    }

    ServedModel load(ModelConfig config, Path versionDir) throws Exception {
        boolean decoupled = config.getModelTransactionPolicy().getDecoupled();
        if (ONNX_DECODER.equals(config.getBackend())) {
            if (!decoupled || config.getMaxBatchSize() != 0) {
                throw new IllegalArgumentException(
                        "backend onnx_decoder needs model_transaction_policy { decoupled: true } and max_batch_size 0");
            }
            return DecoderModel.load(environment, config, versionDir, intraOpThreads);
        }
        if (ONNXRUNTIME.equals(config.getBackend()) || ONNXRUNTIME_PLATFORM.equals(config.getPlatform())) {
            if (decoupled) {
                throw new IllegalArgumentException("backend onnxruntime cannot serve a decoupled model");
            }
            return UnaryModel.load(environment, config, versionDir, intraOpThreads);
        }
        throw new IllegalArgumentException("unsupported backend '" + config.getBackend() + "' / platform '"
                + config.getPlatform() + "'; this server runs onnxruntime and onnx_decoder");
    }
}
