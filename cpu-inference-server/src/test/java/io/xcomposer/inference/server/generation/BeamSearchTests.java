package io.xcomposer.inference.server.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import com.google.protobuf.TextFormat;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.server.InferenceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Beam search on the real tiny llm ({@code model-repository/tiny}), against greedy decoding and against a fresh
 * teacher-forced recompute of each sequence's log-probability.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BeamSearchTests {

    private static final List<String> PROMPTS = List.of(
            " <|User|>:根据给定标题写一个图文并茂，不重复的文章：海边的日落\n<eoh> <|Bot|>:",
            " <|User|>:Describe a large red circle at the top left.\n<eoh> <|Bot|>:",
            " <|User|>:hello\n<eoh> <|Bot|>:");

    private DecoderModel model;

    @BeforeAll
    void load() throws IOException, OrtException {
        Path folder = Path.of(System.getProperty("model.repository", "../model-repository/tiny"))
                .resolve("llm");
        ModelConfig.Builder config = ModelConfig.newBuilder();
        TextFormat.Parser.newBuilder()
                .setAllowUnknownFields(true)
                .build()
                .merge(Files.readString(folder.resolve("config.pbtxt")), config);
        model = DecoderModel.load(OrtEnvironment.getEnvironment(), config.build(), folder.resolve("1"), 1);
    }

    @AfterAll
    void close() {
        model.close();
    }

    @Test
    void oneBeamWithoutLengthPenaltyDecodesExactlyWhatGreedyDecodes() throws Exception {
        for (String prompt : PROMPTS) {
            for (int maxTokens : new int[] {1, 7, 60}) {
                Recorded greedy = greedy(prompt, maxTokens, List.of());
                BeamSearch.Hypothesis beam = search(prompt, maxTokens, 1, 0f, List.of());

                assertThat(beam.text()).as(prompt).isEqualTo(greedy.text());
                assertThat(beam.reason()).isEqualTo(greedy.reason());
                assertThat(beam.tokens()).hasSize(greedy.completionTokens());
            }
        }
        Recorded full = greedy(PROMPTS.get(1), 40, List.of());
        String stop = full.text().substring(4, 7);
        BeamSearch.Hypothesis stopped = search(PROMPTS.get(1), 40, 1, 0f, List.of(stop));
        assertThat(stopped.text())
                .isEqualTo(greedy(PROMPTS.get(1), 40, List.of(stop)).text());
        assertThat(stopped.reason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void beamsFindASequenceScoringAtLeastAsWellAsGreedyUnderTheModel() throws Exception {
        for (String prompt : PROMPTS) {
            for (float lengthPenalty : new float[] {0f, 1f}) {
                BeamSearch.Hypothesis greedy = search(prompt, 40, 1, 0f, List.of());
                BeamSearch.Hypothesis beams = search(prompt, 40, 4, lengthPenalty, List.of());

                double beamLogProb = teacherForcedLogProb(prompt, beams.tokens());
                assertThat(beams.sumLogProb())
                        .as("the KV cache reordering keeps each beam's own history")
                        .isCloseTo(beamLogProb, within(1e-3));
                double greedyScore =
                        teacherForcedLogProb(prompt, greedy.tokens()) / Math.pow(greedy.tokens().length, lengthPenalty);
                double beamScore = beamLogProb / Math.pow(beams.tokens().length, lengthPenalty);
                assertThat(beamScore)
                        .as(prompt + " length_penalty " + lengthPenalty)
                        .isGreaterThanOrEqualTo(greedyScore - 1e-4);
            }
        }
    }

    @Test
    void beamSearchRespectsTheTokenLimitAndStopStrings() throws Exception {
        BeamSearch.Hypothesis limited = search(PROMPTS.get(0), 5, 3, 1f, List.of());
        assertThat(limited.tokens().length).isBetween(1, 5);

        BeamSearch.Hypothesis unlimited = search(PROMPTS.get(1), 40, 3, 1f, List.of());
        String stop = unlimited.text().substring(2, 4);
        BeamSearch.Hypothesis stopped = search(PROMPTS.get(1), 40, 3, 1f, List.of(stop));
        assertThat(stopped.text()).doesNotContain(stop);
        assertThat(stopped.reason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void beamSettingsAreValidatedAsTheContractSays() {
        assertThatThrownBy(() -> new BeamSettings(0, 1f))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("num_beams must be between 1 and " + LlmContract.MAX_NUM_BEAMS);
        assertThatThrownBy(() -> new BeamSettings(LlmContract.MAX_NUM_BEAMS + 1, 1f))
                .isInstanceOf(InferenceException.class);
        assertThatThrownBy(() -> new BeamSettings(2, Float.NaN)).isInstanceOf(InferenceException.class);
        assertThatThrownBy(() -> new BeamSettings(2, 1f).requireCompatible(new SamplingSettings(0.7f, 0, 1, 1, 1)))
                .isInstanceOf(InferenceException.class)
                .hasMessageContaining("beam sampling is not supported");
    }

    @Test
    void topTokensArePickedLargestFirstWithTheLowerIdWinningTies() {
        double[] values = {0.1, 0.9, 0.5, 0.9, -2, 0.7};

        assertThat(BeamSearch.topTokens(values, 4)).containsExactly(1, 3, 5, 2);
        assertThat(BeamSearch.topTokens(values, 10)).containsExactly(1, 3, 5, 2, 0, 4);
    }

    private BeamSearch.Hypothesis search(
            String text, int maxTokens, int numBeams, float lengthPenalty, List<String> stopWords) throws OrtException {
        Prompt prompt = prompt(text, maxTokens, stopWords);
        List<String> stops = new ArrayList<>(model.settings().stopStrings());
        stops.addAll(stopWords);
        BeamSearch search =
                new BeamSearch(model, new BeamSettings(numBeams, lengthPenalty), 1f, stops, prompt.textIds());
        try (DecoderPass pass = model.newPass()) {
            float[] logits = pass.run(prompt.embed(model, model.settings().hiddenSize()));
            return search.run(pass, logits, maxTokens, () -> true);
        }
    }

    private Recorded greedy(String text, int maxTokens, List<String> stopWords) throws Exception {
        GenerationInput input = input(text, maxTokens, stopWords);
        Recorder recorder = new Recorder();
        new GenerationJob(model, prompt(text, maxTokens, stopWords), maxTokens, input, recorder, 0).run();
        return recorder.result;
    }

    /** Sum of log p(token | everything before) from a pass that sees the sequence one token at a time. */
    private double teacherForcedLogProb(String text, int[] tokens) throws OrtException {
        Prompt prompt = prompt(text, tokens.length, List.of());
        double sum = 0;
        try (DecoderPass pass = model.newPass()) {
            float[] logits = pass.run(prompt.embed(model, model.settings().hiddenSize()));
            for (int token : tokens) {
                sum += BeamSearch.logSoftmax(logits)[token];
                logits = pass.run(model.embed(new int[] {token}));
            }
        }
        return sum;
    }

    private Prompt prompt(String text, int maxTokens, List<String> stopWords) {
        return Prompt.build(
                input(text, maxTokens, stopWords),
                model.tokenizer(),
                model.settings().imagePlaceholder());
    }

    private GenerationInput input(String text, int maxTokens, List<String> stopWords) {
        Map<String, Tensor> inputs = new HashMap<>();
        inputs.put(LlmContract.TEXT_INPUT, Tensor.strings(LlmContract.TEXT_INPUT, new long[] {1}, List.of(text)));
        inputs.put(LlmContract.MAX_TOKENS, Tensor.int32(LlmContract.MAX_TOKENS, new long[] {1}, new int[] {maxTokens}));
        if (!stopWords.isEmpty()) {
            inputs.put(
                    LlmContract.STOP_WORDS,
                    Tensor.strings(LlmContract.STOP_WORDS, new long[] {stopWords.size()}, stopWords));
        }
        return GenerationInput.from(inputs, 0, model.settings().hiddenSize());
    }

    private record Recorded(String text, FinishReason reason, int completionTokens) {}

    private static final class Recorder implements GenerationListener {

        private final StringBuilder text = new StringBuilder();
        private Recorded result;

        @Override
        public void onText(String delta) {
            text.append(delta);
        }

        @Override
        public void onFinished(String last, FinishReason reason, int promptTokens, int completionTokens) {
            result = new Recorded(text.append(last).toString(), reason, completionTokens);
        }

        @Override
        public void onFailed(String message) {
            throw new AssertionError(message);
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    }
}
