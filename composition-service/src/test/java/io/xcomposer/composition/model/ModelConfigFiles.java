package io.xcomposer.composition.model;

import com.google.protobuf.TextFormat;
import io.xcomposer.inference.grpc.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The llm configs of both model repositories, parsed as a Triton server would hand them over. */
final class ModelConfigFiles {

    private ModelConfigFiles() {}

    static ModelConfig.Builder tinyLlm() throws IOException {
        return parse(tinyRepository().resolve("llm").resolve("config.pbtxt"));
    }

    /** model-repository/xcomposer-7b/llm/config.pbtxt: the production config no machine here serves. */
    static ModelConfig.Builder productionLlm() throws IOException {
        return parse(tinyRepository()
                .toAbsolutePath()
                .resolveSibling("xcomposer-7b")
                .resolve("llm")
                .resolve("config.pbtxt"));
    }

    private static Path tinyRepository() {
        return Path.of(System.getProperty("model.repository", "../model-repository/tiny"));
    }

    private static ModelConfig.Builder parse(Path configFile) throws IOException {
        ModelConfig.Builder config = ModelConfig.newBuilder();
        TextFormat.Parser.newBuilder().setAllowUnknownFields(true).build().merge(Files.readString(configFile), config);
        return config;
    }
}
