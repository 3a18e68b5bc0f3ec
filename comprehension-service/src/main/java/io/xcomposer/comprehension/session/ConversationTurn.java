package io.xcomposer.comprehension.session;

import java.util.List;

/**
 * One finished exchange: what the user sent and what the model answered.
 *
 * @param text the user's text
 * @param images SHA-256 of each image of the turn, in order (the bytes are in the image store under
 * {@code img_} + the first 24 hex digits; the features in the feature cache)
 * @param answer the model's answer
 */
public record ConversationTurn(String text, List<String> images, String answer) {

    public ConversationTurn {
        images = List.copyOf(images);
    }
}
