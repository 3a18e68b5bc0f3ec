package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OrtException;
import io.xcomposer.inference.server.tokenizer.StreamDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoding loop of one accepted generation: prefill the spliced prompt, then one decoder step per token
 * until a stop string, EOS, the token limit or cancellation.
 */
final class GenerationJob {

    private final DecoderModel model;
    private final Prompt prompt;
    private final int maxTokens;
    private final SamplingSettings sampling;
    private final BeamSettings beams;
    private final List<String> stopStrings;
    private final GenerationListener listener;
    private final long tokenDelayMillis;
    private int completionTokens;

    GenerationJob(
            DecoderModel model,
            Prompt prompt,
            int maxTokens,
            GenerationInput input,
            GenerationListener listener,
            long tokenDelayMillis) {
        this.tokenDelayMillis = tokenDelayMillis;
        this.model = model;
        this.prompt = prompt;
        this.maxTokens = maxTokens;
        this.sampling = input.sampling();
        this.beams = input.beams();
        List<String> stops = new ArrayList<>(model.settings().stopStrings());
        stops.addAll(input.stopWords());
        this.stopStrings = stops;
        this.listener = listener;
    }

    int completionTokens() {
        return completionTokens;
    }

    /** Runs to the end and reports it to the listener. */
    FinishReason run() throws OrtException, InterruptedException {
        return beams.enabled() ? runBeamSearch() : runOneSequence();
    }

    /**
     * Beam search streams nothing until it is over: which beam wins is known only at the end, so its whole text
     * comes in the final response.
     */
    private FinishReason runBeamSearch() throws OrtException {
        BeamSearch search = new BeamSearch(model, beams, sampling.repetitionPenalty(), stopStrings, prompt.textIds());
        try (DecoderPass pass = model.newPass()) {
            if (maxTokens == 0) {
                return finish(FinishReason.LENGTH, "");
            }
            float[] logits = pass.run(prompt.embed(model, model.settings().hiddenSize()));
            BeamSearch.Hypothesis best = search.run(pass, logits, maxTokens, this::stepDone);
            completionTokens = best.tokens().length;
            return finish(best.reason(), best.text());
        }
    }

    /** Between two beam steps: paces like the single-sequence loop; false once the client cancelled. */
    private boolean stepDone() {
        if (tokenDelayMillis > 0) {
            try {
                Thread.sleep(tokenDelayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return !listener.isCancelled();
    }

    private FinishReason runOneSequence() throws OrtException, InterruptedException {
        StreamDecoder decoder = model.tokenizer().newStreamDecoder();
        StopStringFilter filter = new StopStringFilter(stopStrings);
        Sampler sampler = new Sampler(sampling, model.tokenizer().vocabularySize(), prompt.textIds());
        int hiddenSize = model.settings().hiddenSize();
        try (DecoderPass pass = model.newPass()) {
            if (maxTokens == 0) {
                return finish(FinishReason.LENGTH, "");
            }
            float[] logits = pass.run(prompt.embed(model, hiddenSize));
            while (true) {
                if (listener.isCancelled()) {
                    return finish(FinishReason.CANCELLED, filter.accept(decoder.flush()) + filter.flush());
                }
                int token = sampler.next(logits);
                completionTokens++;
                if (token == model.tokenizer().eosId()) {
                    return finish(FinishReason.STOP, filter.accept(decoder.flush()) + filter.flush());
                }
                String delta = filter.accept(decoder.next(token));
                if (filter.stopped()) {
                    return finish(FinishReason.STOP, delta);
                }
                if (completionTokens == maxTokens) {
                    return finish(FinishReason.LENGTH, delta + filter.accept(decoder.flush()) + filter.flush());
                }
                if (!delta.isEmpty()) {
                    listener.onText(delta);
                }
                if (tokenDelayMillis > 0) {
                    Thread.sleep(tokenDelayMillis);
                }
                logits = pass.run(model.embed(new int[] {token}));
            }
        }
    }

    private FinishReason finish(FinishReason reason, String text) {
        listener.onFinished(text, reason, prompt.length(), completionTokens);
        return reason;
    }
}
