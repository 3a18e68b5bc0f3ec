package io.xcomposer.inference.server.unary;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.xcomposer.inference.client.contract.EmbedderContract;
import io.xcomposer.inference.client.tensor.Tensor;
import io.xcomposer.inference.client.tensor.TensorDatatype;
import io.xcomposer.inference.grpc.DataType;
import io.xcomposer.inference.grpc.ModelConfig;
import io.xcomposer.inference.grpc.ModelInput;
import io.xcomposer.inference.grpc.ModelOutput;
import io.xcomposer.inference.grpc.ModelParameter;
import io.xcomposer.inference.server.runtime.OrtSessions;
import io.xcomposer.inference.server.runtime.ServedModel;
import io.xcomposer.inference.server.tensor.OrtTensors;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code backend: "onnxruntime"} model: request tensors map to graph inputs by name, except that a
 * {@code TYPE_STRING} input of a model with a {@code tokenizer} parameter becomes the graph inputs
 * {@code input_ids} and {@code attention_mask}.
 */
public final class UnaryModel implements ServedModel {

    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";

    private final ModelConfig config;
    private final String version;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final Optional<Tokenizer> tokenizer;
    private final int maxTextTokens;

    private UnaryModel(
            ModelConfig config,
            String version,
            OrtEnvironment environment,
            OrtSession session,
            Optional<Tokenizer> tokenizer) {
        this.config = config;
        this.version = version;
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.maxTextTokens = Integer.parseInt(config.getParametersOrDefault(
                        EmbedderContract.MAX_TEXT_TOKENS,
                        ModelParameter.newBuilder()
                                .setStringValue(String.valueOf(Integer.MAX_VALUE))
                                .build())
                .getStringValue());
    }

    public static UnaryModel load(OrtEnvironment environment, ModelConfig config, Path versionDir, int intraOpThreads)
            throws OrtException {
        String fileName = config.getDefaultModelFilename().isEmpty() ? "model.onnx" : config.getDefaultModelFilename();
        Optional<Tokenizer> tokenizer = Optional.ofNullable(
                        config.getParametersMap().get(EmbedderContract.TOKENIZER))
                .map(parameter -> Tokenizer.load(versionDir.resolve(parameter.getStringValue())));
        Path modelFile = versionDir.resolve(fileName);
        if (!Files.isRegularFile(modelFile)) {
            throw new IllegalArgumentException("model file " + modelFile + " not found");
        }
        OrtSession session = OrtSessions.open(environment, modelFile, intraOpThreads);
        UnaryModel model = new UnaryModel(config, versionDir.getFileName().toString(), environment, session, tokenizer);
        try {
            model.checkGraphMatchesConfig();
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public String version() {
        return version;
    }

    boolean supportsDynamicBatching() {
        return config.hasDynamicBatching() && config.getMaxBatchSize() > 1;
    }

    /** Turns validated request tensors into graph inputs, tokenizing text where the config says so. */
    Map<String, Tensor> toGraphInputs(Map<String, Tensor> requestInputs) {
        Map<String, Tensor> graphInputs = new LinkedHashMap<>();
        for (Tensor input : requestInputs.values()) {
            if (input.type() == TensorDatatype.BYTES && tokenizer.isPresent()) {
                graphInputs.putAll(tokenize(tokenizer.get(), input));
            } else {
                graphInputs.put(input.name(), input);
            }
        }
        return graphInputs;
    }

    /** Runs the graph on already batched inputs and returns the named outputs in the given order. */
    List<Tensor> run(Map<String, Tensor> graphInputs, List<String> outputNames) throws OrtException {
        Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
        try {
            for (Tensor input : graphInputs.values()) {
                feeds.put(input.name(), OrtTensors.toOrt(environment, input));
            }
            try (OrtSession.Result result = session.run(feeds, new LinkedHashSet<>(outputNames))) {
                List<Tensor> outputs = new ArrayList<>(outputNames.size());
                for (String name : outputNames) {
                    outputs.add(OrtTensors.fromOrt(
                            name, (OnnxTensor) result.get(name).orElseThrow()));
                }
                return outputs;
            }
        } finally {
            feeds.values().forEach(OnnxTensor::close);
        }
    }

    List<String> allOutputNames() {
        return config.getOutputList().stream().map(ModelOutput::getName).toList();
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing session of " + config.getName(), e);
        }
    }

    private Map<String, Tensor> tokenize(Tokenizer tokenizer, Tensor text) {
        List<int[]> ids = text.asStrings().stream().map(tokenizer::encode).toList();
        int length = Math.max(
                1,
                ids.stream()
                        .mapToInt(tokens -> Math.min(tokens.length, maxTextTokens))
                        .max()
                        .orElse(1));
        long[] inputIds = new long[ids.size() * length];
        long[] mask = new long[ids.size() * length];
        for (int row = 0; row < ids.size(); row++) {
            int[] tokens = ids.get(row);
            for (int position = 0; position < length; position++) {
                boolean real = position < tokens.length;
                inputIds[row * length + position] = real ? tokens[position] : tokenizer.padId();
                mask[row * length + position] = real ? 1 : 0;
            }
        }
        long[] shape = {ids.size(), length};
        return Map.of(
                INPUT_IDS,
                Tensor.int64(INPUT_IDS, shape, inputIds),
                ATTENTION_MASK,
                Tensor.int64(ATTENTION_MASK, shape, mask));
    }

    private void checkGraphMatchesConfig() throws OrtException {
        var graphInputs = session.getInputNames();
        for (ModelInput input : config.getInputList()) {
            boolean tokenized = input.getDataType() == DataType.TYPE_STRING;
            if (tokenized && tokenizer.isEmpty()) {
                throw new IllegalArgumentException("TYPE_STRING input '" + input.getName()
                        + "' needs a 'tokenizer' parameter: the server passes text to graphs only as token ids");
            }
            List<String> needed = tokenized ? List.of(INPUT_IDS, ATTENTION_MASK) : List.of(input.getName());
            for (String name : needed) {
                if (!graphInputs.contains(name)) {
                    throw new IllegalArgumentException(
                            "graph has no input '" + name + "' (graph inputs: " + graphInputs + ")");
                }
            }
        }
        for (ModelOutput output : config.getOutputList()) {
            if (!session.getOutputNames().contains(output.getName())) {
                throw new IllegalArgumentException("graph has no output '" + output.getName() + "' (graph outputs: "
                        + session.getOutputNames() + ")");
            }
        }
    }
}
