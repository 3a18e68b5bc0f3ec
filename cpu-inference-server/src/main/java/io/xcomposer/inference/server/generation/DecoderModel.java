package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelParameter;
import io.xcomposer.inference.server.runtime.OrtSessions;
import io.xcomposer.inference.server.runtime.ServedModel;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * A {@code backend: "onnx_decoder"} model: {@code embed.onnx} (ids to embeddings), {@code model.onnx} (one decoder
 * pass with a KV cache) and {@code tokenizer.json}, plus the generation settings from the config parameters.
 */
public final class DecoderModel implements ServedModel {

    static final String EMBED_FILE = "embed.onnx";
    static final String DECODER_FILE = "model.onnx";
    private static final List<String> DECODER_INPUTS = List.of("inputs_embeds", "past_key", "past_value");
    private static final List<String> DECODER_OUTPUTS = List.of("logits", "present_key", "present_value");

    private final ModelConfig config;
    private final String version;
    private final OrtEnvironment environment;
    private final OrtSession embedSession;
    private final OrtSession decoderSession;
    private final Tokenizer tokenizer;
    private final DecoderSettings settings;
    /** Static dims of past_key/past_value: layers, heads, head size. */
    private final long layers;

    private final long heads;
    private final long headSize;

    private DecoderModel(
            ModelConfig config,
            String version,
            OrtEnvironment environment,
            OrtSession embedSession,
            OrtSession decoderSession,
            Tokenizer tokenizer,
            DecoderSettings settings)
            throws OrtException {
        this.config = config;
        this.version = version;
        this.environment = environment;
        this.embedSession = embedSession;
        this.decoderSession = decoderSession;
        this.tokenizer = tokenizer;
        this.settings = settings;
        requireNames("model.onnx inputs", decoderSession.getInputNames(), DECODER_INPUTS);
        requireNames("model.onnx outputs", decoderSession.getOutputNames(), DECODER_OUTPUTS);
        requireNames("embed.onnx inputs", embedSession.getInputNames(), List.of("input_ids"));
        long[] pastShape =
                ((TensorInfo) decoderSession.getInputInfo().get("past_key").getInfo()).getShape();
        if (pastShape.length != 5) {
            throw new IllegalArgumentException("past_key must be [L,B,Hh,P,hd], graph has rank " + pastShape.length);
        }
        this.layers = pastShape[0];
        this.heads = pastShape[2];
        this.headSize = pastShape[4];
    }

    public static DecoderModel load(OrtEnvironment environment, ModelConfig config, Path versionDir, int intraOpThreads)
            throws OrtException {
        DecoderSettings settings = DecoderSettings.from(config);
        Tokenizer tokenizer = Tokenizer.load(versionDir.resolve(parameter(config, LlmContract.TOKENIZER)));
        for (String file : List.of(EMBED_FILE, DECODER_FILE)) {
            if (!Files.isRegularFile(versionDir.resolve(file))) {
                throw new IllegalArgumentException("decoder file " + versionDir.resolve(file) + " not found");
            }
        }
        OrtSession embed = OrtSessions.open(environment, versionDir.resolve(EMBED_FILE), intraOpThreads);
        OrtSession decoder = OrtSessions.open(environment, versionDir.resolve(DECODER_FILE), intraOpThreads);
        try {
            return new DecoderModel(
                    config, versionDir.getFileName().toString(), environment, embed, decoder, tokenizer, settings);
        } catch (RuntimeException | OrtException e) {
            embed.close();
            decoder.close();
            throw e;
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public String version() {
        return version;
    }

    Tokenizer tokenizer() {
        return tokenizer;
    }

    DecoderSettings settings() {
        return settings;
    }

    /** @return row-major {@code [ids.length, D]} embeddings of the ids. */
    float[] embed(int[] ids) throws OrtException {
        long[] values = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            values[i] = ids[i];
        }
        try (OnnxTensor input =
                        OnnxTensor.createTensor(environment, LongBuffer.wrap(values), new long[] {1, ids.length});
                OrtSession.Result result = embedSession.run(Map.of("input_ids", input))) {
            OnnxTensor embeds = (OnnxTensor) result.get(0);
            float[] rows = new float[embeds.getFloatBuffer().remaining()];
            embeds.getFloatBuffer().get(rows);
            return rows;
        }
    }

    /** Starts a decoding pass with an empty KV cache. */
    DecoderPass newPass() throws OrtException {
        return new DecoderPass(environment, decoderSession, layers, heads, headSize, settings.hiddenSize());
    }

    @Override
    public void close() {
        try {
            embedSession.close();
            decoderSession.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing sessions of " + config.getName(), e);
        }
    }

    private static void requireNames(String what, Set<String> actual, List<String> required) {
        if (!actual.containsAll(required)) {
            throw new IllegalArgumentException(what + " must include " + required + ", graph has " + actual);
        }
    }

    static String parameter(ModelConfig config, String key) {
        ModelParameter value = config.getParametersMap().get(key);
        if (value == null) {
            throw new IllegalArgumentException("config parameter '" + key + "' is missing");
        }
        return value.getStringValue();
    }

    /** The generation settings an {@code onnx_decoder} config carries in its parameters. */
    record DecoderSettings(
            String imagePlaceholder,
            int hiddenSize,
            int contextLength,
            int defaultMaxTokens,
            List<String> stopStrings) {

        static DecoderSettings from(ModelConfig config) {
            List<String> stops = List.of(JsonMapper.builder()
                    .build()
                    .readValue(parameter(config, LlmContract.STOP_STRINGS), String[].class));
            return new DecoderSettings(
                    parameter(config, LlmContract.IMAGE_PLACEHOLDER),
                    Integer.parseInt(parameter(config, LlmContract.HIDDEN_SIZE)),
                    Integer.parseInt(parameter(config, LlmContract.CONTEXT_LENGTH)),
                    Integer.parseInt(parameter(config, LlmContract.DEFAULT_MAX_TOKENS)),
                    stops);
        }
    }
}
