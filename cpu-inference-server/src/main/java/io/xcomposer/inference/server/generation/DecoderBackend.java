package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OrtEnvironment;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.config.ServerProperties;
import io.xcomposer.inference.server.runtime.ModelBackend;
import io.xcomposer.inference.server.runtime.ServedModel;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/** {@code backend: "onnx_decoder"}: the decoupled llm (docs/model-contract.md, "CPU server specifics"). */
@Component
class DecoderBackend implements ModelBackend {

    static final String ONNX_DECODER = "onnx_decoder";

    private final OrtEnvironment environment;
    private final int intraOpThreads;

    DecoderBackend(OrtEnvironment environment, ServerProperties properties) {
        this.environment = environment;
        this.intraOpThreads = properties.intraOpThreads();
    }

    @Override
    public boolean serves(ModelConfig config) {
        return ONNX_DECODER.equals(config.getBackend());
    }

    @Override
    public ServedModel load(ModelConfig config, Path versionDir) throws Exception {
        if (!config.getModelTransactionPolicy().getDecoupled() || config.getMaxBatchSize() != 0) {
            throw new IllegalArgumentException(
                    "backend onnx_decoder needs model_transaction_policy { decoupled: true } and max_batch_size 0");
        }
        return DecoderModel.load(environment, config, versionDir, intraOpThreads);
    }
}
