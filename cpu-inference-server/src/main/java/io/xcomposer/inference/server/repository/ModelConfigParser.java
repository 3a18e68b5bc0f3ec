package io.xcomposer.inference.server.repository;

import com.google.protobuf.TextFormat;
import io.xcomposer.inference.grpc.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads {@code config.pbtxt}. The project's proto holds only the subset of Triton's ModelConfig it uses, so
 * unknown fields (e.g. {@code optimization}, {@code sequence_batching}) are skipped rather than rejected.
 */
final class ModelConfigParser {

    private static final TextFormat.Parser PARSER =
            TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build();

    private ModelConfigParser() {}

    static ModelConfig parse(Path configFile) throws IOException {
        ModelConfig.Builder builder = ModelConfig.newBuilder();
        PARSER.merge(Files.readString(configFile), builder);
        return builder.build();
    }

    /**
     * Applies Triton's defaulting (a missing name is the folder's) and rejects configs this server cannot serve.
     */
    static ModelConfig validate(String folderName, ModelConfig config) {
        if (!config.getName().isEmpty() && !config.getName().equals(folderName)) {
            throw new IllegalArgumentException(
                    "config name '" + config.getName() + "' does not match folder '" + folderName + "'");
        }
        if (config.getInputCount() == 0 || config.getOutputCount() == 0) {
            throw new IllegalArgumentException("config must declare inputs and outputs");
        }
        if (config.getMaxBatchSize() < 0) {
            throw new IllegalArgumentException("max_batch_size must not be negative");
        }
        return config.toBuilder().setName(folderName).build();
    }
}
