package io.xcomposer.comprehension.prompt;

import io.xcomposer.comprehension.vision.ImageInput;
import java.util.List;

/**
 * A rendered prompt that fits the model's context.
 *
 * @param prompt the llm's {@code text_input}, one image placeholder per image
 * @param images the images of the placeholders, in order
 * @param textCodePoints code points of the prompt without placeholders, for calibrating the token estimate
 * @param historyTurns earlier turns kept in the prompt
 * @param droppedTurns earlier turns left out to fit
 */
public record PromptPlan(
        String prompt, List<ImageInput> images, int textCodePoints, int historyTurns, int droppedTurns) {

    public PromptPlan {
        images = List.copyOf(images);
    }
}
