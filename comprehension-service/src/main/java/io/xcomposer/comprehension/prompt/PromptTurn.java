package io.xcomposer.comprehension.prompt;

import io.xcomposer.comprehension.vision.ImageInput;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One turn to render: the user's text and images, and the model's answer (null for the turn being asked).
 */
public record PromptTurn(
        String text, List<ImageInput> images, @Nullable String answer) {

    public PromptTurn {
        images = List.copyOf(images);
    }
}
