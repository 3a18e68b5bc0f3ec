package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The decoding state of one sequence, or of a batch of sequences of equal length (beams). The KV cache stays inside
 * ONNX Runtime: each run's {@code present_key} / {@code present_value} outputs are fed back as the next run's past
 * without copying them into Java, and the previous run's result is closed only after the next run has consumed it.
 * Only {@link #reorder(int[])}, which beam search needs when beams fork, copies the cache.
 */
final class DecoderPass implements AutoCloseable {

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final int hiddenSize;
    private OnnxTensor pastKey;
    private OnnxTensor pastValue;
    /** The run whose present tensors are the current past; null while the past tensors are this pass's own. */
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
     * Runs the decoder on {@code embeds} ({@code [T, D]} row-major) of a single sequence after everything run so far.
     *
     * @return the logits of the last position.
     */
    float[] run(float[] embeds) throws OrtException {
        return run(embeds, 1);
    }

    /**
     * Runs one step of {@code batch} sequences: {@code embeds} is {@code [batch, T, D]} row-major.
     *
     * @return the last position's logits, {@code [batch, V]} row-major.
     */
    float[] run(float[] embeds, int batch) throws OrtException {
        long tokens = embeds.length / ((long) hiddenSize * batch);
        OrtSession.Result result;
        try (OnnxTensor input = OnnxTensor.createTensor(
                environment, FloatBuffer.wrap(embeds), new long[] {batch, tokens, hiddenSize})) {
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

    /**
     * Makes sequence {@code i} of the batch continue from sequence {@code sources[i]} of the current cache; the batch
     * becomes {@code sources.length} wide (a single prefilled sequence fans out into beams this way).
     */
    void reorder(int[] sources) throws OrtException {
        OnnxTensor key = gather(pastKey, sources);
        OnnxTensor value;
        try {
            value = gather(pastValue, sources);
        } catch (OrtException | RuntimeException e) {
            key.close();
            throw e;
        }
        releasePast();
        previous = null;
        pastKey = key;
        pastValue = value;
    }

    @Override
    public void close() {
        releasePast();
    }

    /** {@code [L, B, Hh, P, hd]} → {@code [L, sources.length, Hh, P, hd]}, picking along the batch dimension. */
    private OnnxTensor gather(OnnxTensor past, int[] sources) throws OrtException {
        long[] shape = past.getInfo().getShape();
        int layers = (int) shape[0];
        int batch = (int) shape[1];
        int perSequence = (int) (shape[2] * shape[3] * shape[4]);
        FloatBuffer values = past.getFloatBuffer();
        float[] gathered = new float[layers * sources.length * perSequence];
        for (int layer = 0; layer < layers; layer++) {
            for (int i = 0; i < sources.length; i++) {
                values.position((layer * batch + sources[i]) * perSequence);
                values.get(gathered, (layer * sources.length + i) * perSequence, perSequence);
            }
        }
        long[] gatheredShape = {shape[0], sources.length, shape[2], shape[3], shape[4]};
        return OnnxTensor.createTensor(environment, FloatBuffer.wrap(gathered), gatheredShape);
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
