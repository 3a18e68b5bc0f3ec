package io.xcomposer.inference.server.runtime;

import io.xcomposer.inference.grpc.ModelConfig;

/** A model whose ONNX Runtime sessions are open and ready to run. */
public interface ServedModel extends AutoCloseable {

    ModelConfig config();

    String version();

    @Override
    void close();
}
