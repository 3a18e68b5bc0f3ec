package io.xcomposer.inference.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.inference.client.model.EmbedderSpec;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both repositories follow docs/model-contract.md: the production configs (which no machine here can serve) must
 * still parse and describe themselves with the same tensors and parameter keys as the tiny ones the tests run.
 */
class ContractRepositoriesTests {

    private static final Path REPOSITORIES =
            Path.of(System.getProperty("model.repository")).getParent();

    @Test
    void bothRepositoriesServeTheSameModels() throws IOException {
        assertThat(models("xcomposer-7b")).isEqualTo(models("tiny")).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("tinyModels")
    void productionConfigMatchesTheTinyOneInTensorsAndKeys(String model) throws IOException {
        ModelConfig tiny = load("tiny", model);
        ModelConfig production = load("xcomposer-7b", model);

        assertThat(names(production)).isEqualTo(names(tiny));
        assertThat(production.getOutputList().stream().map(o -> o.getName()).toList())
                .isEqualTo(tiny.getOutputList().stream().map(o -> o.getName()).toList());
        assertThat(production.getParametersMap().keySet())
                .containsAll(tiny.getParametersMap().keySet());
        assertThat(production.getModelTransactionPolicy().getDecoupled())
                .isEqualTo(tiny.getModelTransactionPolicy().getDecoupled());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "xcomposer-7b"})
    void specsReadFromEitherRepository(String repository) throws IOException {
        VisionSpec vision = VisionSpec.fromConfig(load(repository, "vision_encoder"));
        LlmSpec llm = LlmSpec.fromConfig(load(repository, "llm"));

        assertThat(llm.imageTokens()).isEqualTo(vision.imageTokens());
        assertThat(llm.hiddenSize()).isEqualTo(vision.hiddenSize());
        assertThat(llm.stopStrings()).isNotEmpty();
        assertThat(llm.template().imagePlaceholder()).isEqualTo("<ImageHere>");

        EmbedderSpec image = EmbedderSpec.fromConfig(load(repository, "image_embedder"));
        EmbedderSpec text = EmbedderSpec.fromConfig(load(repository, "text_embedder"));
        assertThat(image.embeddingDim()).isEqualTo(text.embeddingDim()).isPositive();
        assertThat(image.vision()).isNotNull();
        assertThat(text.vision()).isNull();
    }

    static Stream<String> tinyModels() throws IOException {
        return models("tiny").stream();
    }

    /** Every folder of a repository that holds a {@code config.pbtxt}, sorted. */
    private static List<String> models(String repository) throws IOException {
        try (Stream<Path> folders = Files.list(REPOSITORIES.resolve(repository))) {
            return folders.filter(folder -> Files.isRegularFile(folder.resolve("config.pbtxt")))
                    .map(folder -> folder.getFileName().toString())
                    .sorted()
                    .toList();
        }
    }

    private static Set<String> names(ModelConfig config) {
        return config.getInputList().stream().map(ModelInput::getName).collect(Collectors.toSet());
    }

    private static ModelConfig load(String repository, String model) throws IOException {
        Path folder = REPOSITORIES.resolve(repository).resolve(model);
        return ModelConfigParser.validate(model, ModelConfigParser.parse(folder.resolve("config.pbtxt")));
    }
}
