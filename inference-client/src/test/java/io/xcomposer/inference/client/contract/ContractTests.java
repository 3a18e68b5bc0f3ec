package io.xcomposer.inference.client.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.inference.client.error.ContextLengthExceededException;
import io.xcomposer.inference.client.error.GrpcErrors;
import io.xcomposer.inference.client.error.InferenceException;
import io.xcomposer.inference.client.error.InvalidInputException;
import io.xcomposer.inference.client.generation.GenerationRequest;
import io.xcomposer.inference.client.generation.LlmTensors;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.model.ModelDescription;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelParameter;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ContractTests {

    @Test
    void stackingKeepsThePlaceholderOrderAndAcceptsBatchedAndUnbatchedEncoderOutputs() {
        Tensor first = Tensor.fp32("image_embeds", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor second = Tensor.fp32("image_embeds", new long[] {1, 2, 3}, new float[] {7, 8, 9, 10, 11, 12});

        Tensor stacked = ImageEmbeds.stack(List.of(first, second));

        assertThat(stacked.name()).isEqualTo(ImageEmbeds.NAME);
        assertThat(stacked.shape()).containsExactly(2, 2, 3);
        assertThat(stacked.asFloats()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    }

    @Test
    void shapeRulesRejectWhatTheLlmCannotSplice() {
        Tensor narrow = Tensor.fp32("image_embeds", new long[] {2, 2}, new float[4]);
        Tensor wide = Tensor.fp32("image_embeds", new long[] {2, 3}, new float[6]);
        assertThatThrownBy(() -> ImageEmbeds.stack(List.of(wide, narrow))).hasMessageContaining("differ in [Q, D]");
        assertThatThrownBy(() -> ImageEmbeds.stack(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageEmbeds.requireStacked(wide)).hasMessageContaining("[N,Q,D]");
        Tensor stacked = ImageEmbeds.stack(List.of(wide));
        assertThatThrownBy(() -> ImageEmbeds.requireWidth(stacked, 4)).hasMessageContaining("hidden_size is 4");
        assertThatThrownBy(() -> new GenerationRequest(
                        "llm",
                        "<ImageHere>",
                        Tensor.fp32("pixels", new long[] {1, 2, 3}, new float[6]),
                        SamplingParams.greedy(1),
                        null,
                        null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void beamSettingsTravelAsTheContractsOptionalInputsOnlyWhenSet() {
        Map<String, Tensor> withBeams = inputs(SamplingParams.greedy(9).withBeams(5, 0.5f));
        Map<String, Tensor> without = inputs(SamplingParams.greedy(9));

        assertThat(withBeams.get(LlmContract.NUM_BEAMS).asInts()).containsExactly(5);
        assertThat(withBeams.get(LlmContract.NUM_BEAMS).shape()).containsExactly(1);
        assertThat(withBeams.get(LlmContract.LENGTH_PENALTY).asFloats()).containsExactly(0.5f);
        assertThat(without).doesNotContainKeys(LlmContract.NUM_BEAMS, LlmContract.LENGTH_PENALTY);
        assertThat(LlmContract.INPUTS.stream().map(TensorSpec::name)).containsAll(LlmContract.BEAM_INPUTS);
    }

    @Test
    void streamErrorPrefixesTellBadInputFromServerFailure() {
        String tooLong = LlmContract.contextLengthExceeded(600, 512);
        String refused = LlmContract.invalidInput("num_beams must be between 1 and 8, got 0");

        assertThat(GrpcErrors.fromStreamError(tooLong, "llm")).isInstanceOf(ContextLengthExceededException.class);
        assertThat(GrpcErrors.fromStreamError(refused, "llm"))
                .isInstanceOf(InvalidInputException.class)
                .isNotInstanceOf(ContextLengthExceededException.class);
        assertThat(GrpcErrors.fromStreamError("generation failed: out of memory", "llm"))
                .isExactlyInstanceOf(InferenceException.class);
        assertThat(LlmContract.invalidInput(tooLong)).isEqualTo(tooLong);
        assertThat(refused).startsWith(LlmContract.INVALID_INPUT_PREFIX + " num_beams");
    }

    @Test
    void symbolicDimsResolveFromTheModelsParameters() {
        ModelConfig config = ModelConfig.newBuilder()
                .setName("llm")
                .putParameters(
                        LlmContract.IMAGE_TOKENS,
                        ModelParameter.newBuilder().setStringValue("66").build())
                .putParameters(
                        LlmContract.HIDDEN_SIZE,
                        ModelParameter.newBuilder().setStringValue("4096").build())
                .build();
        TensorSpec imageEmbeds = LlmContract.INPUTS.stream()
                .filter(spec -> spec.name().equals(LlmContract.IMAGE_EMBEDS))
                .findFirst()
                .orElseThrow();

        assertThat(imageEmbeds.resolveDims(ModelDescription.of(config))).containsExactly(-1L, 66L, 4096L);
        assertThat(imageEmbeds.optional()).isTrue();
    }

    @Test
    void beamCountRule() {
        LlmContract.requireNumBeams(1);
        LlmContract.requireNumBeams(LlmContract.MAX_NUM_BEAMS);
        assertThatThrownBy(() -> LlmContract.requireNumBeams(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LlmContract.requireNumBeams(LlmContract.MAX_NUM_BEAMS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static Map<String, Tensor> inputs(SamplingParams sampling) {
        return TensorCodec.readInputs(LlmTensors.toInferRequest(GenerationRequest.text("llm", "hi", sampling))).stream()
                .collect(Collectors.toMap(Tensor::name, tensor -> tensor));
    }
}
