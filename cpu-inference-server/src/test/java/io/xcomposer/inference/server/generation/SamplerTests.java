package io.xcomposer.inference.server.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SamplerTests {

    private static final float[] LOGITS = {1.0f, 3.0f, 2.5f, -1.0f, 0.5f};

    @Test
    void greedy_picksTheLargestLogit() {
        Sampler sampler = new Sampler(new SamplingSettings(0, 0, 1, 1, 1), LOGITS.length, new int[0]);

        assertThat(sampler.next(LOGITS.clone())).isEqualTo(1);
    }

    @Test
    void presenceAndFrequencyPenalties_subtractPerCompletionTokenNotPerPromptToken() {
        Sampler sampler = new Sampler(new SamplingSettings(0, 0, 1, 1, 0.5f, 1.0f, 1), LOGITS.length, new int[] {2});

        assertThat(sampler.next(LOGITS.clone())).isEqualTo(1); // the prompt's token 2 is not penalised
        float[] second = LOGITS.clone();
        assertThat(sampler.next(second)).isEqualTo(2); // 3.0 - (1 * 1.0 + 0.5) = 1.5 < 2.5
        assertThat(second[1]).isEqualTo(1.5f);
        float[] third = LOGITS.clone();
        sampler.next(third);
        assertThat(third[1]).isEqualTo(1.5f);
        assertThat(third[2]).isEqualTo(1.0f);
    }

    @Test
    void logprobs_areTheLogSoftmaxOfThePenalisedLogitsWithTheTopAlternativesInOrder() {
        Sampler sampler = new Sampler(new SamplingSettings(0, 0, 1, 1, 1), LOGITS.length, new int[0]);
        double normaliser = Math.log(IntStream.range(0, LOGITS.length)
                .mapToDouble(id -> Math.exp(LOGITS[id]))
                .sum());

        Sampler.Choice choice = sampler.nextWithLogprobs(LOGITS.clone(), 3);

        assertThat(choice.token()).isEqualTo(1);
        assertThat((double) choice.logprob()).isCloseTo(3.0 - normaliser, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(choice.topIds()).containsExactly(1, 2, 0);
        assertThat((double) choice.topLogprobs()[2])
                .isCloseTo(1.0 - normaliser, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(sampler.nextWithLogprobs(LOGITS.clone(), 0).topIds()).isEmpty();
        assertThat(sampler.nextWithLogprobs(LOGITS.clone(), 20).topIds()).containsExactly(1, 2, 0, 4, 3);
    }

    @Test
    void repetitionPenalty_dividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        Sampler sampler = new Sampler(new SamplingSettings(0, 0, 1, 2f, 1), LOGITS.length, new int[] {1, 3});
        float[] logits = LOGITS.clone();

        assertThat(sampler.next(logits)).isEqualTo(2);
        assertThat(logits[1]).isEqualTo(1.5f);
        assertThat(logits[3]).isEqualTo(-2.0f);
        assertThat(logits[2]).isEqualTo(2.5f);
    }

    @Test
    void topK1_andTinyTopP_alwaysPickTheMostLikelyToken() {
        Sampler topK = new Sampler(new SamplingSettings(5f, 1, 1, 1, 3), LOGITS.length, new int[0]);
        Sampler topP = new Sampler(new SamplingSettings(5f, 0, 0.01f, 1, 3), LOGITS.length, new int[0]);

        IntStream.range(0, 50).forEach(i -> {
            assertThat(topK.next(LOGITS.clone())).isEqualTo(1);
            assertThat(topP.next(LOGITS.clone())).isEqualTo(1);
        });
    }

    @Test
    void topK_neverPicksOutsideTheKMostLikely() {
        Sampler sampler = new Sampler(new SamplingSettings(10f, 2, 1, 1, 11), LOGITS.length, new int[0]);

        IntStream.range(0, 200)
                .forEach(i -> assertThat(sampler.next(LOGITS.clone())).isIn(1, 2));
    }

    @Test
    void sameSeed_givesTheSameSequence_otherSeedsDiffer() {
        int[] first = draw(42);
        assertThat(draw(42)).containsExactly(first);
        assertThat(draw(43)).isNotEqualTo(first);
    }

    @Test
    void highTemperature_reachesEveryToken() {
        Sampler sampler = new Sampler(new SamplingSettings(100f, 0, 1, 1, 5), LOGITS.length, new int[0]);

        assertThat(IntStream.range(0, 500)
                        .map(i -> sampler.next(LOGITS.clone()))
                        .distinct()
                        .count())
                .isEqualTo(5);
    }

    private static int[] draw(long seed) {
        Sampler sampler = new Sampler(new SamplingSettings(1.5f, 0, 0.95f, 1, seed), LOGITS.length, new int[0]);
        return IntStream.range(0, 40).map(i -> sampler.next(LOGITS.clone())).toArray();
    }
}
