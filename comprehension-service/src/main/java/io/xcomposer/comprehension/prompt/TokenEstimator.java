package io.xcomposer.comprehension.prompt;

import io.xcomposer.comprehension.config.ModelSpecsSource;
import org.springframework.stereotype.Component;

/**
 * Estimates prompt tokens without a tokenizer (tokenization is server-side): BOS + Q per image + text code points
 * × a tokens-per-code-point ratio. The ratio starts at a conservative 1.0 and is calibrated from the
 * {@code prompt_tokens} the server reports for every generation (moving average), with a 10 % margin on top.
 */
@Component
public class TokenEstimator {

    private static final double MARGIN = 1.1;

    private static final int MIN_CALIBRATION_CODE_POINTS = 16;

    private final ModelSpecsSource specs;

    private volatile double tokensPerCodePoint = 1.0;

    public TokenEstimator(ModelSpecsSource specs) {
        this.specs = specs;
    }

    public int estimate(int textCodePoints, int images) {
        return 1 + images * imageTokens() + (int) Math.ceil(textCodePoints * this.tokensPerCodePoint * MARGIN);
    }

    /** Learns from a prompt of {@code textCodePoints} and {@code images} that the server counted as {@code promptTokens}. */
    public void observe(int textCodePoints, int images, int promptTokens) {
        int textTokens = promptTokens - 1 - images * imageTokens();
        if (textCodePoints < MIN_CALIBRATION_CODE_POINTS || textTokens <= 0) {
            return;
        }
        double observed = (double) textTokens / textCodePoints;
        this.tokensPerCodePoint = Math.min(4.0, Math.max(0.05, 0.7 * this.tokensPerCodePoint + 0.3 * observed));
    }

    private int imageTokens() {
        return this.specs.get().llm().imageTokens();
    }
}
