package io.xcomposer.inference.server.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits: repetition penalty, OpenAI's presence and frequency penalties (over the completion's
 * tokens, as OpenAI and vLLM apply them), then greedy argmax or temperature, top-k and top-p (nucleus) sampling, in
 * the order Hugging Face applies its logits processors. Log-probabilities, when asked, are the log-softmax of the
 * penalised logits: the distribution the model proposes, before temperature and truncation shape the draw.
 */
final class Sampler {

    private final SamplingSettings settings;
    private final SplittableRandom random;
    private final boolean[] seen;
    private final int[] completionCounts;

    Sampler(SamplingSettings settings, int vocabularySize, int[] promptIds) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.seen = new boolean[vocabularySize];
        this.completionCounts = new int[vocabularySize];
        for (int id : promptIds) {
            seen[id] = true;
        }
    }

    /** Chooses the next token and remembers it for the penalties. Modifies {@code logits}. */
    int next(float[] logits) {
        applyRepetitionPenalty(logits);
        applyCompletionPenalties(logits);
        int token = settings.greedy() ? argmax(logits) : sample(logits);
        seen[token] = true;
        completionCounts[token]++;
        return token;
    }

    /**
     * {@link #next} that also reports the chosen token's log-probability and its {@code alternatives} most likely
     * ones (ids and log-probabilities, most likely first; ties by lower id).
     */
    Choice nextWithLogprobs(float[] logits, int alternatives) {
        int token = next(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        double logNormaliser = max + Math.log(sum);
        int[] top = topIds(logits, alternatives);
        float[] topLogprobs = new float[top.length];
        for (int rank = 0; rank < top.length; rank++) {
            topLogprobs[rank] = (float) (logits[top[rank]] - logNormaliser);
        }
        return new Choice(token, (float) (logits[token] - logNormaliser), top, topLogprobs);
    }

    /** A chosen token with its log-probability and the most likely alternatives. */
    record Choice(int token, float logprob, int[] topIds, float[] topLogprobs) {}

    private void applyCompletionPenalties(float[] logits) {
        if (!settings.penalisesCompletion()) {
            return;
        }
        for (int id = 0; id < logits.length; id++) {
            int count = completionCounts[id];
            if (count > 0) {
                logits[id] -= count * settings.frequencyPenalty() + settings.presencePenalty();
            }
        }
    }

    /** The {@code k} highest logits' ids, highest first, by a bounded insertion (k ≤ 20, one pass). */
    private static int[] topIds(float[] logits, int k) {
        int kept = Math.min(k, logits.length);
        int[] ids = new int[kept];
        int size = 0;
        for (int id = 0; id < logits.length; id++) {
            if (size == kept && (kept == 0 || logits[id] <= logits[ids[kept - 1]])) {
                continue;
            }
            int at = size < kept ? size++ : kept - 1;
            while (at > 0 && logits[ids[at - 1]] < logits[id]) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = id;
        }
        return ids;
    }

    private void applyRepetitionPenalty(float[] logits) {
        float penalty = settings.repetitionPenalty();
        if (penalty == 1f) {
            return;
        }
        for (int id = 0; id < logits.length; id++) {
            if (seen[id]) {
                logits[id] = logits[id] > 0 ? logits[id] / penalty : logits[id] * penalty;
            }
        }
    }

    private int sample(float[] logits) {
        Integer[] order = new Integer[logits.length];
        Arrays.setAll(order, id -> id);
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        int kept = settings.topK() > 0 ? Math.min(settings.topK(), logits.length) : logits.length;

        double max = logits[order[0]] / settings.temperature();
        double[] weights = new double[kept];
        double total = 0;
        for (int rank = 0; rank < kept; rank++) {
            weights[rank] = Math.exp(logits[order[rank]] / settings.temperature() - max);
            total += weights[rank];
        }
        if (settings.topP() < 1f) {
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < kept && cumulative < settings.topP() * total) {
                cumulative += weights[nucleus++];
            }
            kept = Math.max(nucleus, 1);
            total = cumulative;
        }
        double target = random.nextDouble() * total;
        for (int rank = 0; rank < kept - 1; rank++) {
            target -= weights[rank];
            if (target < 0) {
                return order[rank];
            }
        }
        return order[kept - 1];
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int id = 1; id < logits.length; id++) {
            if (logits[id] > logits[best]) {
                best = id;
            }
        }
        return best;
    }
}
