package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OrtException;
import io.xcomposer.inference.server.tokenizer.StreamDecoder;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

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
    private final int logprobs;
    private int completionTokens;

    private static final int[] NO_IDS = {};
    private static final float[] NO_LOGPROBS = {};

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
        this.logprobs = input.logprobs();
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
        LogprobTrail trail = logprobs >= 0 ? new LogprobTrail(model.tokenizer()) : null;
        int hiddenSize = model.settings().hiddenSize();
        try (DecoderPass pass = model.newPass()) {
            if (maxTokens == 0) {
                return finish(FinishReason.LENGTH, "", trail);
            }
            float[] logits = pass.run(prompt.embed(model, hiddenSize));
            while (true) {
                if (listener.isCancelled()) {
                    return finish(FinishReason.CANCELLED, filter.accept(decoder.flush()) + filter.flush(), trail);
                }
                Sampler.Choice choice = trail == null
                        ? new Sampler.Choice(sampler.next(logits), 0, NO_IDS, NO_LOGPROBS)
                        : sampler.nextWithLogprobs(logits, logprobs);
                int token = choice.token();
                completionTokens++;
                if (token == model.tokenizer().eosId()) {
                    return finish(FinishReason.STOP, filter.accept(decoder.flush()) + filter.flush(), trail);
                }
                String decoded = decoder.next(token);
                if (trail != null) {
                    trail.add(choice, decoded);
                }
                String delta = filter.accept(decoded);
                if (filter.stopped()) {
                    return finish(FinishReason.STOP, delta, trail);
                }
                if (completionTokens == maxTokens) {
                    return finish(FinishReason.LENGTH, delta + filter.accept(decoder.flush()) + filter.flush(), trail);
                }
                if (!delta.isEmpty()) {
                    listener.onText(delta, trail == null ? List.of() : trail.sent(delta));
                }
                if (tokenDelayMillis > 0) {
                    Thread.sleep(tokenDelayMillis);
                }
                logits = pass.run(model.embed(new int[] {token}));
            }
        }
    }

    private FinishReason finish(FinishReason reason, String text) {
        return finish(reason, text, null);
    }

    private FinishReason finish(FinishReason reason, String text, @Nullable LogprobTrail trail) {
        listener.onFinished(
                text, trail == null ? List.of() : trail.finished(text), reason, prompt.length(), completionTokens);
        return reason;
    }
}
