package io.xcomposer.inference.client.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelParameter;
import io.xcomposer.inference.grpc.ModelTransactionPolicy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSpecsTests {

    /** The tiny repository's llm parameters, as protobuf hands them over (pbtxt escapes already decoded). */
    private static final Map<String, String> TINY_LLM = Map.ofEntries(
            Map.entry("context_length", "512"),
            Map.entry("default_max_tokens", "256"),
            Map.entry("image_tokens", "18"),
            Map.entry("hidden_size", "256"),
            Map.entry("image_placeholder", "<ImageHere>"),
            Map.entry("chat_template.system", ""),
            Map.entry("chat_template.user_prefix", " <|User|>:"),
            Map.entry("chat_template.user_suffix", "\n<eoh>"),
            Map.entry("chat_template.assistant_prefix", " <|Bot|>:"),
            Map.entry("chat_template.assistant_suffix", "<eoa>\n"),
            Map.entry("chat_template.image_position", "before_text"),
            Map.entry("stop_strings", "[\"<eoa>\", \"</s>\"]"));

    @Test
    void llmSpec_readsLimitsStopStringsAndTemplate() {
        LlmSpec spec = LlmSpec.fromConfig(config("llm", TINY_LLM));

        assertThat(spec.contextLength()).isEqualTo(512);
        assertThat(spec.defaultMaxTokens()).isEqualTo(256);
        assertThat(spec.imageTokens()).isEqualTo(18);
        assertThat(spec.hiddenSize()).isEqualTo(256);
        assertThat(spec.stopStrings()).containsExactly("<eoa>", "</s>");
        assertThat(spec.template().userSuffix()).isEqualTo("\n<eoh>").hasSize(6);
    }

    @Test
    void chatTemplate_rendersTheContractsFirstTurn() {
        ChatTemplate template = LlmSpec.fromConfig(config("llm", TINY_LLM)).template();

        assertThat(template.firstTurn("What is this?", 1))
                .isEqualTo(" <|User|>:<ImageHere>What is this?\n<eoh> <|Bot|>:");
        assertThat(template.assistantTurn("A cat.")).isEqualTo(" <|Bot|>:A cat.<eoa>\n");
    }

    @Test
    void stopStrings_decodeJsonEscapes() {
        Map<String, String> parameters = new HashMap<>(TINY_LLM);
        parameters.put("stop_strings", "[\"a\\\"b\", \"\\n\\u00e9\", \"back\\\\slash\"]");

        assertThat(LlmSpec.fromConfig(config("llm", parameters)).stopStrings())
                .containsExactly("a\"b", "\né", "back\\slash");
    }

    @Test
    void missingKey_isNamedInTheError() {
        Map<String, String> parameters = new HashMap<>(TINY_LLM);
        parameters.remove("context_length");

        assertThatThrownBy(() -> LlmSpec.fromConfig(config("llm", parameters)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("model 'llm' config lacks parameter 'context_length' (see docs/model-contract.md)");
    }

    @Test
    void malformedValues_areReportedWithWhatWasExpected() {
        Map<String, String> parameters = new HashMap<>(TINY_LLM);
        parameters.put("stop_strings", "[\"<eoa>\"");

        assertThatThrownBy(() -> LlmSpec.fromConfig(config("llm", parameters)))
                .hasMessageStartingWith("model 'llm' parameter 'stop_strings' is '[\"<eoa>\"', expected a JSON array");
    }

    @Test
    void stopStrings_mustBeOneArrayOfStrings() {
        Map<String, String> parameters = new HashMap<>(TINY_LLM);
        for (String malformed : new String[] {"[\"<eoa>\", 7]", "[\"<eoa>\"] trailing", "{\"a\": \"b\"}"}) {
            parameters.put("stop_strings", malformed);

            assertThatThrownBy(() -> LlmSpec.fromConfig(config("llm", parameters)))
                    .as(malformed)
                    .hasMessageContaining("parameter 'stop_strings'")
                    .hasMessageContaining("expected a JSON array of strings");
        }
    }

    @Test
    void visionSpec_readsPreprocessingAndOutputSize() {
        VisionSpec spec = VisionSpec.fromConfig(config(
                "vision_encoder",
                Map.of(
                        "image_size",
                        "224",
                        "resize_mode",
                        "bicubic",
                        "image_mean",
                        "0.48145466,0.4578275,0.40821073",
                        "image_std",
                        "0.26862954, 0.26130258, 0.27577711",
                        "image_tokens",
                        "66",
                        "hidden_size",
                        "4096")));

        assertThat(spec.imageSize()).isEqualTo(224);
        assertThat(spec.mean()).containsExactly(0.48145466f, 0.4578275f, 0.40821073f);
        assertThat(spec.std()).containsExactly(0.26862954f, 0.26130258f, 0.27577711f);
        assertThat(spec.imageTokens()).isEqualTo(66);
        assertThat(spec.hiddenSize()).isEqualTo(4096);
    }

    @Test
    void visionSpec_rejectsAnotherResizeMode() {
        assertThatThrownBy(() -> VisionSpec.fromConfig(config(
                        "vision_encoder",
                        Map.of(
                                "image_size",
                                "224",
                                "resize_mode",
                                "center_crop",
                                "image_mean",
                                "0,0,0",
                                "image_std",
                                "1,1,1",
                                "image_tokens",
                                "66",
                                "hidden_size",
                                "4096"))))
                .hasMessage("resize mode 'center_crop' is not supported, only bicubic");
    }

    @Test
    void embedderSpec_hasVisionOnlyForImageEmbedders() {
        EmbedderSpec text = EmbedderSpec.fromConfig(config("text_embedder", Map.of("embedding_dim", "128")));
        EmbedderSpec image = EmbedderSpec.fromConfig(config(
                "image_embedder",
                Map.of(
                        "embedding_dim",
                        "128",
                        "image_size",
                        "64",
                        "resize_mode",
                        "bicubic",
                        "image_mean",
                        "0.5,0.5,0.5",
                        "image_std",
                        "0.5,0.5,0.5")));

        assertThat(text.vision()).isNull();
        assertThat(image.embeddingDim()).isEqualTo(128);
        assertThat(image.vision()).isNotNull();
        assertThat(image.vision().imageSize()).isEqualTo(64);
        assertThat(image.vision().imageTokens()).isZero();
    }

    @Test
    void modelDescription_exposesBatchingAndDecoupling() {
        ModelConfig config = config("llm", Map.of()).toBuilder()
                .setModelTransactionPolicy(ModelTransactionPolicy.newBuilder().setDecoupled(true))
                .build();

        assertThat(ModelDescription.of(config).decoupled()).isTrue();
        assertThat(ModelDescription.of(config).maxBatchSize()).isZero();
    }

    @Test
    void modelDescription_readsOptionalBooleans() {
        ModelDescription llm = ModelDescription.of(config("llm", Map.of("yes", " True", "no", "false", "bad", "1")));

        assertThat(llm.optionalBoolean("yes")).isTrue();
        assertThat(llm.optionalBoolean("no")).isFalse();
        assertThat(llm.optionalBoolean("absent")).isNull();
        assertThatThrownBy(() -> llm.optionalBoolean("bad"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bad");
    }

    private static ModelConfig config(String name, Map<String, String> parameters) {
        ModelConfig.Builder config = ModelConfig.newBuilder().setName(name);
        parameters.forEach((key, value) -> config.putParameters(
                key, ModelParameter.newBuilder().setStringValue(value).build()));
        return config.build();
    }
}
