package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One sequence's decoding state. The KV cache stays inside ONNX Runtime: each run's {@code present_key} /
 * {@code present_value} outputs are fed back as the next run's past without copying them into Java, and the
 * previous run's result is closed only after the next run has consumed it.
 */
final class DecoderPass implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final int hiddenSize;
    private OnnxTensor pastKey;
    private OnnxTensor pastValue;
    private OrtSession.@Nullable Result previous;

    DecoderPass(OrtEnvironment environment, OrtSession session, long layers, long heads, long headSize, int hiddenSize)
            throws OrtException {
        this.environment = environment;
        this.session = session;
        this.hiddenSize = hiddenSize;
        long[] emptyPast = {layers, 1, heads, 0, headSize};
        this.pastKey = OnnxTensor.createTensor(environment, FloatBuffer.allocate(0), emptyPast);
        this.pastValue = OnnxTensor.createTensor(environment, FloatBuffer.allocate(0), emptyPast);
    }

    /**
     * Runs the decoder on {@code embeds} ({@code [T, D]} row-major) after everything run so far.
     *
     * @return the logits of the last position.
     */
    float[] run(float[] embeds) throws OrtException {
        long tokens = embeds.length / hiddenSize;
        OrtSession.Result result;
        try (OnnxTensor input =
                OnnxTensor.createTensor(environment, FloatBuffer.wrap(embeds), new long[] {1, tokens, hiddenSize})) {
            result = session.run(Map.of("inputs_embeds", input, "past_key", pastKey, "past_value", pastValue));
        }
        releasePast();
        previous = result;
        pastKey = (OnnxTensor) result.get("present_key").orElseThrow();
        pastValue = (OnnxTensor) result.get("present_value").orElseThrow();
        FloatBuffer logits = ((OnnxTensor) result.get("logits").orElseThrow()).getFloatBuffer();
        float[] values = new float[logits.remaining()];
        logits.get(values);
        return values;
    }

    @Override
    public void close() {
        releasePast();
    }

    private void releasePast() {
        if (previous != null) {
            previous.close();
        } else {
            pastKey.close();
            pastValue.close();
        }
    }
}
