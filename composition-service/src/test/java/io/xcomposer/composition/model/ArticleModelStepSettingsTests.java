package io.xcomposer.composition.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.inference.client.TritonClient;
import io.xcomposer.inference.client.TritonClientOptions;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorCodec;
import io.xcomposer.inference.grpc.GRPCInferenceServiceGrpc;
import io.xcomposer.inference.grpc.InferParameter;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelConfigRequest;
import io.xcomposer.inference.grpc.ModelConfigResponse;
import io.xcomposer.inference.grpc.ModelInferRequest;
import io.xcomposer.inference.grpc.ModelInferResponse;
import io.xcomposer.inference.grpc.ModelParameter;
import io.xcomposer.inference.grpc.ModelStreamInferResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The per-step generation settings of the llm's {@code composition.generation} reach the wire: a Triton-protocol
 * server on a loopback port serves the tiny llm's config (with or without the parameter) and records every
 * ModelStreamInfer request composition sends.
 */
class ArticleModelStepSettingsTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final String SEED_SETTINGS = "{\"write\": {\"num_beams\": 5, \"repetition_penalty\": 5.0},"
            + " \"spot\": {\"num_beams\": 5, \"length_penalty\": 1.0}, \"select\": {\"num_beams\": 5}}";

    private final List<ModelInferRequest> requests = new CopyOnWriteArrayList<>();

    private @Nullable Server server;

    private @Nullable TritonClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    @Test
    void stepsUseTheModelsBeamSettingsAndKeepTheirDefaultsForStepsItDoesNotName() throws IOException {
        ArticleModel model = articleModel(SEED_SETTINGS);

        model.write("write prompt", 50, 7L, null).blockLast(TIMEOUT);
        model.complete(Step.SPOT, "spot prompt", List.of(), 64, null).block(TIMEOUT);
        model.complete(Step.CAPTION, "caption prompt", List.of(), 96, null).block(TIMEOUT);

        Map<String, Tensor> write = inputs(0);
        assertThat(write.get(LlmContract.NUM_BEAMS).asInts()).containsExactly(5);
        assertThat(write.get(LlmContract.TEMPERATURE).asFloats()).containsExactly(0f);
        assertThat(write.get(LlmContract.REPETITION_PENALTY).asFloats()).containsExactly(5f);
        assertThat(write).doesNotContainKeys(LlmContract.SEED, LlmContract.TOP_P);
        assertThat(write.get(LlmContract.MAX_TOKENS).asInts()).containsExactly(50);

        Map<String, Tensor> spot = inputs(1);
        assertThat(spot.get(LlmContract.NUM_BEAMS).asInts()).containsExactly(5);
        assertThat(spot.get(LlmContract.LENGTH_PENALTY).asFloats()).containsExactly(1f);
        assertThat(spot.get(LlmContract.TEMPERATURE).asFloats()).containsExactly(0f);

        Map<String, Tensor> caption = inputs(2);
        assertThat(caption).doesNotContainKeys(LlmContract.NUM_BEAMS, LlmContract.LENGTH_PENALTY);
        assertThat(caption.get(LlmContract.TEMPERATURE).asFloats()).containsExactly(0f);
    }

    @Test
    void withoutTheParameterTheArticleIsSampledAndNoBeamsAreSent() throws IOException {
        ArticleModel model = articleModel(null);

        model.write("write prompt", 50, 7L, null).blockLast(TIMEOUT);
        model.complete(Step.SELECT, "select prompt", List.of(), 4, null).block(TIMEOUT);

        Map<String, Tensor> write = inputs(0);
        assertThat(write).doesNotContainKeys(LlmContract.NUM_BEAMS, LlmContract.LENGTH_PENALTY);
        assertThat(write.get(LlmContract.TEMPERATURE).asFloats()).containsExactly(1f);
        assertThat(write.get(LlmContract.SEED).asLongs()).containsExactly(7L);
        assertThat(inputs(1)).doesNotContainKeys(LlmContract.NUM_BEAMS);
    }

    @Test
    void theProductionConfigsSeedSettingsReachTheWireWithTheirTokenLimits() throws IOException {
        ArticleModel model = articleModel(productionSettings());

        model.write("write prompt", 400, 7L, null).blockLast(TIMEOUT);
        model.complete(Step.SPOT, "spot prompt", List.of(), 64, null).block(TIMEOUT);
        model.complete(Step.CAPTION, "caption prompt", List.of(), 96, null).block(TIMEOUT);
        model.complete(Step.SELECT, "select prompt", List.of(), 4, null).block(TIMEOUT);

        // web_demo.py of the seed: beam 5 / max 1000 / repetition 5.0 (article), 5 / 300 / 1.0 (spotting),
        // 1 / 100 / 5.0 (captions), 5 / 10 / 1.0 (selection); shared/reference/production-path.md §1.
        int[][] beamsAndTokens = {{5, 1000}, {5, 300}, {1, 100}, {5, 10}};
        float[] repetition = {5f, 1f, 5f, 1f};
        for (int step = 0; step < beamsAndTokens.length; step++) {
            Map<String, Tensor> sent = inputs(step);
            assertThat(sent.get(LlmContract.NUM_BEAMS).asInts()).containsExactly(beamsAndTokens[step][0]);
            assertThat(sent.get(LlmContract.MAX_TOKENS).asInts()).containsExactly(beamsAndTokens[step][1]);
            assertThat(sent.get(LlmContract.REPETITION_PENALTY).asFloats()).containsExactly(repetition[step]);
            assertThat(sent.get(LlmContract.TEMPERATURE).asFloats()).containsExactly(0f);
        }
    }

    @Test
    void malformedSettingsAreAConfigErrorNamingTheParameter() throws IOException {
        for (String malformed : List.of("[1, 2]", "{\"write\": {\"num_beams\": 0}}", "{\"spot\": {\"beams\": 5}}")) {
            ModelConfig config = tinyLlm(malformed);
            assertThatThrownBy(() -> GenerationSteps.fromConfig(config))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(LlmContract.COMPOSITION_GENERATION);
        }
    }

    private Map<String, Tensor> inputs(int request) {
        assertThat(requests).hasSizeGreaterThan(request);
        return TensorCodec.readInputs(requests.get(request)).stream()
                .collect(Collectors.toMap(Tensor::name, tensor -> tensor));
    }

    private ArticleModel articleModel(@Nullable String settings) throws IOException {
        ModelConfig llm = tinyLlm(settings);
        server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                .addService(new RecordingServer(llm))
                .build()
                .start();
        client = TritonClient.connect(TritonClientOptions.of("127.0.0.1", server.getPort()));
        CompositionProperties properties = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate(CompositionProperties.PREFIX, CompositionProperties.class);
        return new ArticleModel(client, properties);
    }

    private static String productionSettings() throws IOException {
        return ModelConfigFiles.productionLlm()
                .getParametersOrThrow(LlmContract.COMPOSITION_GENERATION)
                .getStringValue();
    }

    private static ModelConfig tinyLlm(@Nullable String settings) throws IOException {
        ModelConfig.Builder config = ModelConfigFiles.tinyLlm();
        if (settings != null) {
            config.putParameters(
                    LlmContract.COMPOSITION_GENERATION,
                    ModelParameter.newBuilder().setStringValue(settings).build());
        }
        return config.build();
    }

    /** Serves the llm's config and answers each generation with one final response, recording the request. */
    private final class RecordingServer extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

        private final ModelConfig llm;

        RecordingServer(ModelConfig llm) {
            this.llm = llm;
        }

        @Override
        public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> observer) {
            observer.onNext(ModelConfigResponse.newBuilder().setConfig(llm).build());
            observer.onCompleted();
        }

        @Override
        public StreamObserver<ModelInferRequest> modelStreamInfer(StreamObserver<ModelStreamInferResponse> observer) {
            return new StreamObserver<>() {
                @Override
                public void onNext(ModelInferRequest request) {
                    requests.add(request);
                    ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                            .setModelName(request.getModelName())
                            .setId(request.getId())
                            .putParameters(
                                    LlmContract.FINAL_RESPONSE_PARAMETER,
                                    InferParameter.newBuilder()
                                            .setBoolParam(true)
                                            .build());
                    long[] scalar = {1};
                    TensorCodec.addOutputs(
                            response,
                            List.of(
                                    Tensor.strings(LlmContract.TEXT_OUTPUT, scalar, List.of("A")),
                                    Tensor.strings(LlmContract.FINISH_REASON, scalar, List.of("stop")),
                                    Tensor.int32(LlmContract.PROMPT_TOKENS, scalar, new int[] {3}),
                                    Tensor.int32(LlmContract.COMPLETION_TOKENS, scalar, new int[] {1})));
                    observer.onNext(ModelStreamInferResponse.newBuilder()
                            .setInferResponse(response)
                            .build());
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onCompleted() {
                    observer.onCompleted();
                }
            };
        }
    }
}
