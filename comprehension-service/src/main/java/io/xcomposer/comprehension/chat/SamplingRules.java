package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.contract.LlmContract;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** The ranges of the sampling options ({@code temperature}, {@code top_p}, {@code top_k}, ..., {@code stop}). */
final class SamplingRules {

    private static final int MAX_STOP_SEQUENCES = 4;

    private SamplingRules() {}

    static @Nullable Float range(String param, @Nullable Double value, double min, double max, boolean minInclusive) {
        if (value == null) {
            return null;
        }
        boolean aboveMin = minInclusive ? value >= min : value > min;
        if (!aboveMin || value > max || value.isNaN()) {
            throw ChatRequestParser.invalid(
                    param,
                    "expected a number " + (minInclusive ? "from " : "above ") + format(min) + " to " + format(max)
                            + ", got " + value);
        }
        return value.floatValue();
    }

    /**
     * The contract's beam-count rule, checked here so the 400 names the parameter; whether beams combine with the
     * other settings is the model server's call (it refuses beams with a temperature above 0).
     */
    static @Nullable Integer numBeams(@Nullable Integer value) {
        if (value != null && (value < 1 || value > LlmContract.MAX_NUM_BEAMS)) {
            throw ChatRequestParser.invalid(
                    "num_beams", "expected an integer from 1 to " + LlmContract.MAX_NUM_BEAMS + ", got " + value);
        }
        return value;
    }

    /** OpenAI's presence/frequency penalty range, −2 to 2; the model server applies them to the completion. */
    static @Nullable Float penalty(String param, @Nullable Double value) {
        return range(param, value, -LlmContract.MAX_PENALTY, LlmContract.MAX_PENALTY, true);
    }

    /**
     * {@code logprobs} / {@code top_logprobs} → the contract's alternatives count, or null when not asked. Beam
     * search reports none (the winning beam is known only at the end), so the two do not combine.
     */
    static @Nullable Integer logprobs(
            @Nullable Boolean logprobs, @Nullable Integer topLogprobs, @Nullable Integer numBeams) {
        boolean asked = Boolean.TRUE.equals(logprobs);
        if (topLogprobs != null && !asked) {
            throw ChatRequestParser.invalid("top_logprobs", "top_logprobs needs logprobs set to true");
        }
        if (topLogprobs != null && (topLogprobs < 0 || topLogprobs > LlmContract.MAX_TOP_LOGPROBS)) {
            throw ChatRequestParser.invalid(
                    "top_logprobs",
                    "expected an integer from 0 to " + LlmContract.MAX_TOP_LOGPROBS + ", got " + topLogprobs);
        }
        if (asked && numBeams != null && numBeams > 1) {
            throw UnsupportedOptions.unsupported("logprobs", "log-probabilities are not reported for beam search");
        }
        return asked ? (topLogprobs == null ? 0 : topLogprobs) : null;
    }

    static @Nullable Integer nonNegative(String param, @Nullable Integer value) {
        if (value != null && value < 0) {
            throw ChatRequestParser.invalid(param, "expected an integer ≥ 0 (0 turns it off), got " + value);
        }
        return value;
    }

    static List<String> stops(@Nullable JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (stop.isString()) {
            stops.add(stop.stringValue());
        } else if (stop.isArray() && stop.size() <= MAX_STOP_SEQUENCES) {
            for (JsonNode element : stop) {
                if (!element.isString()) {
                    throw ChatRequestParser.invalid("stop", "expected a string or an array of up to 4 strings");
                }
                stops.add(element.stringValue());
            }
        } else {
            throw ChatRequestParser.invalid("stop", "expected a string or an array of up to 4 strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw ChatRequestParser.invalid("stop", "stop sequences must not be empty");
        }
        return stops;
    }

    private static String format(double number) {
        return number == Math.rint(number) ? String.valueOf((long) number) : String.valueOf(number);
    }
}
