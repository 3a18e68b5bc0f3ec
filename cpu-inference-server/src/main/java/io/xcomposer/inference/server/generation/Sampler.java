package io.xcomposer.inference.server.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits: repetition penalty, then greedy argmax or temperature, top-k and top-p (nucleus)
 * sampling, in the order Hugging Face applies its logits processors.
 */
final class Sampler {

    private final SamplingSettings settings;
    private final SplittableRandom random;
    private final boolean[] seen;

    Sampler(SamplingSettings settings, int vocabularySize, int[] promptIds) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.seen = new boolean[vocabularySize];
        for (int id : promptIds) {
            seen[id] = true;
        }
    }

    /** Chooses the next token and remembers it for the repetition penalty. Modifies {@code logits}. */
    int next(float[] logits) {
        applyRepetitionPenalty(logits);
        int token = settings.greedy() ? argmax(logits) : sample(logits);
        seen[token] = true;
        return token;
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
