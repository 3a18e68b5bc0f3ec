package io.xcomposer.inference.server.generation;

import ai.onnxruntime.OrtException;
import io.xcomposer.inference.server.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Beam search as Hugging Face's {@code generate(num_beams=k, do_sample=False, early_stopping=False)} does it: every
 * step extends the k live beams by their 2k best tokens (log-softmax after the repetition penalty, per beam); a
 * candidate ending in EOS or a stop string becomes a finished hypothesis if it ranks among the first k, the best k
 * others stay live. A hypothesis scores {@code sum log p / length^length_penalty}, length = completion tokens
 * including the one that ended it. The search ends when k hypotheses are finished and no live beam can still beat
 * the worst of them at its current length, or at the token limit, where the live beams join the hypotheses.
 */
final class BeamSearch {

    private final DecoderModel model;
    private final Tokenizer tokenizer;
    private final int beams;
    private final float lengthPenalty;
    private final float repetitionPenalty;
    private final List<String> stopStrings;
    private final int[] promptIds;

    BeamSearch(
            DecoderModel model,
            BeamSettings settings,
            float repetitionPenalty,
            List<String> stopStrings,
            int[] promptIds) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.beams = settings.numBeams();
        this.lengthPenalty = settings.lengthPenalty();
        this.repetitionPenalty = repetitionPenalty;
        this.stopStrings = stopStrings.stream().filter(stop -> !stop.isEmpty()).toList();
        this.promptIds = promptIds;
    }

    /** The best sequence. */
    record Hypothesis(int[] tokens, String text, double sumLogProb, double score, FinishReason reason) {}

    /**
     * Searches from the prompt's logits in {@code pass} (prefilled, one sequence).
     *
     * @param stepDone called after each decoder step; returns false to stop (cancellation), which ends the search
     *     with the best live beam as a {@link FinishReason#CANCELLED} hypothesis
     */
    Hypothesis run(DecoderPass pass, float[] promptLogits, int maxTokens, BooleanSupplier stepDone)
            throws OrtException {
        List<Beam> live = List.of(new Beam(new int[0], 0, -1));
        List<Hypothesis> finished = new ArrayList<>();
        float[] logits = promptLogits;
        for (int step = 1; step <= maxTokens; step++) {
            List<Beam> candidates = candidates(live, logits);
            List<Beam> next = new ArrayList<>();
            for (int rank = 0; rank < candidates.size() && next.size() < beams; rank++) {
                Beam candidate = candidates.get(rank);
                Ending ending = ending(candidate);
                if (ending == null) {
                    next.add(candidate);
                } else if (rank < beams) {
                    keep(finished, hypothesis(candidate, ending.text(), FinishReason.STOP));
                }
            }
            if (next.isEmpty() || done(finished, next.get(0), step)) {
                return best(finished, List.of(), FinishReason.LENGTH);
            }
            if (step == maxTokens) {
                return best(finished, next, FinishReason.LENGTH);
            }
            if (!stepDone.getAsBoolean()) {
                return best(List.of(), next, FinishReason.CANCELLED);
            }
            live = next;
            pass.reorder(live.stream().mapToInt(Beam::parent).toArray());
            int[] lastTokens = live.stream().mapToInt(Beam::lastToken).toArray();
            logits = pass.run(model.embed(lastTokens), live.size());
        }
        return best(finished, live, FinishReason.LENGTH);
    }

    /** The 2k best one-token extensions of the live beams, best first; parent = index of the beam extended. */
    private List<Beam> candidates(List<Beam> live, float[] logits) {
        int vocabulary = logits.length / live.size();
        List<Beam> candidates = new ArrayList<>();
        for (int b = 0; b < live.size(); b++) {
            Beam beam = live.get(b);
            float[] row = Arrays.copyOfRange(logits, b * vocabulary, (b + 1) * vocabulary);
            double[] logProbs = logSoftmax(penalize(row, beam.tokens()));
            for (int token : topTokens(logProbs, 2 * beams)) {
                int[] tokens = Arrays.copyOf(beam.tokens(), beam.tokens().length + 1);
                tokens[tokens.length - 1] = token;
                candidates.add(new Beam(tokens, beam.sumLogProb() + logProbs[token], b));
            }
        }
        candidates.sort(Comparator.comparingDouble(Beam::sumLogProb).reversed());
        return candidates.subList(0, Math.min(2 * beams, candidates.size()));
    }

    /** Keeps the k best finished hypotheses. */
    private void keep(List<Hypothesis> finished, Hypothesis hypothesis) {
        finished.add(hypothesis);
        if (finished.size() > beams) {
            finished.remove(worst(finished));
        }
    }

    private static Hypothesis worst(List<Hypothesis> finished) {
        return finished.stream()
                .min(Comparator.comparingDouble(Hypothesis::score))
                .orElseThrow();
    }

    /** Hugging Face's {@code early_stopping=False} rule: no live beam can beat the worst of k finished ones. */
    private boolean done(List<Hypothesis> finished, Beam bestLive, int length) {
        return finished.size() >= beams
                && worst(finished).score() >= bestLive.sumLogProb() / Math.pow(length, lengthPenalty);
    }

    private Hypothesis best(List<Hypothesis> finished, List<Beam> live, FinishReason liveReason) {
        List<Hypothesis> all = new ArrayList<>(finished);
        for (Beam beam : live) {
            all.add(hypothesis(beam, textOf(beam.tokens()), liveReason));
        }
        return all.stream().max(Comparator.comparingDouble(Hypothesis::score)).orElseThrow();
    }

    private Hypothesis hypothesis(Beam beam, String text, FinishReason reason) {
        double score = beam.sumLogProb() / Math.pow(beam.tokens().length, lengthPenalty);
        return new Hypothesis(beam.tokens(), text, beam.sumLogProb(), score, reason);
    }

    /** How {@code beam} ends at its last token: EOS, or a stop string in its text (cut off); null if it goes on. */
    private @Nullable Ending ending(Beam beam) {
        if (beam.lastToken() == tokenizer.eosId()) {
            return new Ending(textOf(Arrays.copyOf(beam.tokens(), beam.tokens().length - 1)));
        }
        String text = textOf(beam.tokens());
        int stopAt = -1;
        for (String stop : stopStrings) {
            int index = text.indexOf(stop);
            if (index >= 0 && (stopAt < 0 || index < stopAt)) {
                stopAt = index;
            }
        }
        return stopAt < 0 ? null : new Ending(text.substring(0, stopAt));
    }

    private String textOf(int[] tokens) {
        return tokenizer.decode(tokens);
    }

    /** HF/CTRL repetition penalty over the prompt's and the beam's own ids, as {@link Sampler} applies it. */
    private float[] penalize(float[] logits, int[] generated) {
        if (repetitionPenalty == 1f) {
            return logits;
        }
        boolean[] seen = new boolean[logits.length];
        for (int id : promptIds) {
            seen[id] = true;
        }
        for (int id : generated) {
            seen[id] = true;
        }
        for (int id = 0; id < logits.length; id++) {
            if (seen[id]) {
                logits[id] = logits[id] > 0 ? logits[id] / repetitionPenalty : logits[id] * repetitionPenalty;
            }
        }
        return logits;
    }

    static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logSum = max + Math.log(sum);
        double[] logProbs = new double[logits.length];
        for (int id = 0; id < logits.length; id++) {
            logProbs[id] = logits[id] - logSum;
        }
        return logProbs;
    }

    /** The ids of the {@code count} largest values, largest first (a partial selection: vocabularies are large). */
    static int[] topTokens(double[] logProbs, int count) {
        int kept = Math.min(count, logProbs.length);
        int[] top = new int[kept];
        int size = 0;
        for (int id = 0; id < logProbs.length; id++) {
            if (size == kept && logProbs[id] <= logProbs[top[kept - 1]]) {
                continue;
            }
            int at = size == kept ? kept - 1 : size++;
            while (at > 0 && logProbs[top[at - 1]] < logProbs[id]) {
                top[at] = top[at - 1];
                at--;
            }
            top[at] = id;
        }
        return top;
    }

    /** A live beam: its completion tokens, their summed log-probability, and the beam of the last step it extends. */
    private record Beam(int[] tokens, double sumLogProb, int parent) {

        int lastToken() {
            return tokens[tokens.length - 1];
        }
    }

    private record Ending(String text) {}
}
