package io.xcomposer.inference.server.repository;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.inference.client.contract.EmbedderContract;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.contract.TensorSpec;
import io.xcomposer.inference.client.contract.VisionContract;
import io.xcomposer.inference.client.model.EmbedderSpec;
import io.xcomposer.inference.client.model.LlmSpec;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.client.model.VisionSpec;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelInput;
import io.xcomposer.inference.grpc.ModelOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both repositories follow the contract of {@code inference-client} ({@link LlmContract}, {@link VisionContract},
 * {@link EmbedderContract}; docs/model-contract.md): the production configs (which no machine here can serve) must
 * still parse and declare exactly the contract's tensors, dtypes, dims and parameter keys, as the tiny ones the tests
 * run do.
 */
class ContractRepositoriesTests {

    private static final Path REPOSITORIES =
            Path.of(System.getProperty("model.repository")).getParent();

    private static final List<String> REPOSITORY_NAMES = List.of("tiny", "xcomposer-7b");

    @Test
    void bothRepositoriesServeTheSameModels() throws IOException {
        assertThat(models("xcomposer-7b")).isEqualTo(models("tiny")).isNotEmpty();
    }

    static Stream<Arguments> visionAndLlmOfBothRepositories() {
        return REPOSITORY_NAMES.stream()
                .flatMap(repository -> Stream.of(VisionContract.MODEL, LlmContract.MODEL)
                        .map(model -> Arguments.of(repository, model)));
    }

    @ParameterizedTest
    @MethodSource("visionAndLlmOfBothRepositories")
    void declaresExactlyTheContractsTensorsAndParameters(String repository, String model) throws IOException {
        ModelConfig config = load(repository, model);
        boolean llm = LlmContract.MODEL.equals(model);
        assertInputs(config, llm ? LlmContract.INPUTS : VisionContract.INPUTS);
        assertOutputs(config, llm ? LlmContract.OUTPUTS : VisionContract.OUTPUTS);
        assertThat(config.getParametersMap().keySet())
                .containsAll(llm ? LlmContract.REQUIRED_PARAMETERS : VisionContract.REQUIRED_PARAMETERS);
        assertThat(ModelDescription.of(config).decoupled()).isEqualTo(llm);
        if (llm) {
            assertThat(config.getMaxBatchSize()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "xcomposer-7b"})
    void embeddersFollowTheContract(String repository) throws IOException {
        for (String model : List.of(EmbedderContract.IMAGE_MODEL, EmbedderContract.TEXT_MODEL)) {
            ModelConfig config = load(repository, model);
            boolean image = EmbedderContract.IMAGE_MODEL.equals(model);
            assertInputs(config, image ? EmbedderContract.IMAGE_INPUTS : EmbedderContract.TEXT_INPUTS);
            assertOutputs(config, EmbedderContract.OUTPUTS);
            if (image) {
                assertThat(config.getParametersMap().keySet()).containsAll(VisionContract.PREPROCESSING_PARAMETERS);
            } else {
                assertThat(config.getParametersMap()).containsKey(EmbedderContract.TOKENIZER);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"vision_encoder", "llm"})
    void productionConfigHasEveryParameterKeyOfTheTinyOne(String model) throws IOException {
        ModelConfig tiny = load("tiny", model);
        ModelConfig production = load("xcomposer-7b", model);

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

        EmbedderSpec image = EmbedderSpec.fromConfig(load(repository, EmbedderContract.IMAGE_MODEL));
        EmbedderSpec text = EmbedderSpec.fromConfig(load(repository, EmbedderContract.TEXT_MODEL));
        assertThat(image.embeddingDim()).isEqualTo(text.embeddingDim()).isPositive();
        assertThat(image.vision()).isNotNull();
        assertThat(text.vision()).isNull();
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

    /** Every contract input with its dtype, dims and optionality; no input outside the contract. */
    private static void assertInputs(ModelConfig config, List<TensorSpec> contract) {
        ModelDescription description = ModelDescription.of(config);
        Set<String> declared =
                config.getInputList().stream().map(ModelInput::getName).collect(Collectors.toSet());
        assertThat(contract.stream().map(TensorSpec::name).toList())
                .as(config.getName() + " declares no input outside the contract")
                .containsAll(declared);
        for (TensorSpec spec : contract) {
            ModelInput input = config.getInputList().stream()
                    .filter(candidate -> candidate.getName().equals(spec.name()))
                    .findFirst()
                    .orElse(null);
            assertThat(input)
                    .as(config.getName() + " declares input " + spec.name())
                    .isNotNull();
            assertThat(TensorDatatype.fromConfig(input.getDataType()))
                    .as(spec.name())
                    .isEqualTo(spec.type());
            assertThat(input.getDimsList()).as(spec.name()).isEqualTo(spec.resolveDims(description));
            assertThat(input.getOptional()).as(spec.name() + " optional").isEqualTo(spec.optional());
        }
    }

    private static void assertOutputs(ModelConfig config, List<TensorSpec> contract) {
        ModelDescription description = ModelDescription.of(config);
        assertThat(config.getOutputList().stream().map(ModelOutput::getName).toList())
                .containsExactlyElementsOf(
                        contract.stream().map(TensorSpec::name).toList());
        for (TensorSpec spec : contract) {
            ModelOutput output = config.getOutputList().stream()
                    .filter(candidate -> candidate.getName().equals(spec.name()))
                    .findFirst()
                    .orElseThrow();
            assertThat(TensorDatatype.fromConfig(output.getDataType()))
                    .as(spec.name())
                    .isEqualTo(spec.type());
            assertThat(output.getDimsList()).as(spec.name()).isEqualTo(spec.resolveDims(description));
        }
    }

    private static ModelConfig load(String repository, String model) throws IOException {
        Path folder = REPOSITORIES.resolve(repository).resolve(model);
        return ModelConfigParser.validate(model, ModelConfigParser.parse(folder.resolve("config.pbtxt")));
    }
}
