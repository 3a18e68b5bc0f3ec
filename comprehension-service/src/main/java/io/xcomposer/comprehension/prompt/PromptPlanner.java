package io.xcomposer.comprehension.prompt;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.comprehension.vision.ImageInput;
import io.xcomposer.inference.client.model.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Renders turns with the model's chat template (from its ModelConfig) and fits them into
 * {@code context_length − reserved}: the new turn always, then earlier turns newest first while they fit. History
 * is {@code {user_prefix}{images}{text}{user_suffix}{assistant_prefix}{answer}{assistant_suffix}} per turn, the new
 * turn ends with {@code {assistant_prefix}}, and the system text comes first.
 */
@Component
public class PromptPlanner {

    private final ModelSpecsSource specs;

    private final TokenEstimator estimator;

    public PromptPlanner(ModelSpecsSource specs, TokenEstimator estimator) {
        this.specs = specs;
        this.estimator = estimator;
    }

    /**
     * @param system replaces the template's system text when not null
     * @param turns earlier turns (answered), then the new turn (answer null) last
     * @param reservedTokens room kept for the answer (max_tokens)
     * @param maxHistoryTurns at most this many earlier turns, even when more would fit
     * @throws ApiException 400 {@code context_length_exceeded} when the new turn alone does not fit
     */
    public PromptPlan plan(@Nullable String system, List<PromptTurn> turns, int reservedTokens, int maxHistoryTurns) {
        PromptTurn current = turns.get(turns.size() - 1);
        String head = system == null ? template().system() : withoutPlaceholders(system);
        String tail = userTurn(current) + template().assistantPrefix();
        int codePoints = textCodePoints(head) + textCodePoints(tail);
        int images = current.images().size();
        int budget = contextLength() - reservedTokens;
        int needed = this.estimator.estimate(codePoints, images);
        if (needed > budget) {
            throw ApiException.badRequest(
                    "context_length_exceeded",
                    "The last message needs about " + needed
                            + " tokens but only " + Math.max(0, budget) + " of the model's " + contextLength()
                            + "-token context are left after reserving " + reservedTokens
                            + " for the answer. Shorten the message, send fewer images or lower max_tokens.",
                    "messages");
        }
        List<PromptTurn> history = turns.subList(0, turns.size() - 1);
        int kept = 0;
        while (kept < Math.min(maxHistoryTurns, history.size())) {
            PromptTurn earlier = history.get(history.size() - 1 - kept);
            int moreCodePoints = textCodePoints(historyText(earlier));
            int moreImages = earlier.images().size();
            if (this.estimator.estimate(codePoints + moreCodePoints, images + moreImages) > budget) {
                break;
            }
            codePoints += moreCodePoints;
            images += moreImages;
            kept++;
        }
        return render(
                head,
                history.subList(history.size() - kept, history.size()),
                current,
                tail,
                codePoints,
                history.size() - kept);
    }

    private PromptPlan render(
            String head, List<PromptTurn> history, PromptTurn current, String tail, int codePoints, int dropped) {
        StringBuilder prompt = new StringBuilder(head);
        List<ImageInput> images = new ArrayList<>();
        for (PromptTurn turn : history) {
            prompt.append(historyText(turn));
            images.addAll(turn.images());
        }
        prompt.append(tail);
        images.addAll(current.images());
        return new PromptPlan(prompt.toString(), images, codePoints, history.size(), dropped);
    }

    private String historyText(PromptTurn turn) {
        String answer = turn.answer() == null ? "" : withoutPlaceholders(turn.answer());
        return userTurn(turn) + template().assistantTurn(answer);
    }

    /**
     * The turn with one placeholder per image: at the anchors of an interleaved message, else before the text. A
     * placeholder typed by the client is dropped, so text can never open an image slot without an image.
     */
    private String userTurn(PromptTurn turn) {
        String text = withoutPlaceholders(turn.text());
        int images = turn.images().size();
        if (images > 0 && ImageAnchors.count(text) == images) {
            return template().userTurn(ImageAnchors.replace(text, template().imagePlaceholder()), 0);
        }
        return template().userTurn(ImageAnchors.strip(text), images);
    }

    private String withoutPlaceholders(String text) {
        return text.replace(template().imagePlaceholder(), "");
    }

    private int textCodePoints(String text) {
        String withoutPlaceholders = text.replace(template().imagePlaceholder(), "");
        return withoutPlaceholders.codePointCount(0, withoutPlaceholders.length());
    }

    private ChatTemplate template() {
        return this.specs.get().llm().template();
    }

    private int contextLength() {
        return this.specs.get().llm().contextLength();
    }
}
