package io.xcomposer.inference.client.model;

import io.xcomposer.inference.client.contract.LlmContract;
import java.util.Objects;

/**
 * The llm's prompt format. One user turn renders as
 * {@code {system}{userPrefix}{images}{text}{userSuffix}{assistantPrefix}} when images go {@code before_text}.
 *
 * @param system text before the first turn; may be empty
 * @param imagePosition where a turn's images go; {@code before_text} is the only position the model was trained on
 * @param imagePlaceholder marks one image in the prompt, e.g. {@code <ImageHere>}
 */
public record ChatTemplate(
        String system,
        String userPrefix,
        String userSuffix,
        String assistantPrefix,
        String assistantSuffix,
        String imagePosition,
        String imagePlaceholder) {

    public static final String IMAGES_BEFORE_TEXT = "before_text";

    public ChatTemplate {
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(userPrefix, "userPrefix");
        Objects.requireNonNull(userSuffix, "userSuffix");
        Objects.requireNonNull(assistantPrefix, "assistantPrefix");
        Objects.requireNonNull(assistantSuffix, "assistantSuffix");
        Objects.requireNonNull(imagePlaceholder, "imagePlaceholder");
        if (!IMAGES_BEFORE_TEXT.equals(imagePosition)) {
            throw new IllegalArgumentException(
                    "image position '" + imagePosition + "' is not supported, only " + IMAGES_BEFORE_TEXT);
        }
    }

    /** Reads the {@code chat_template.*} keys and {@code image_placeholder}; a missing system means empty. */
    static ChatTemplate from(ModelDescription description) {
        String system = description.optionalString(LlmContract.CHAT_TEMPLATE_SYSTEM);
        return new ChatTemplate(
                system == null ? "" : system,
                description.requireString(LlmContract.CHAT_TEMPLATE_USER_PREFIX),
                description.requireString(LlmContract.CHAT_TEMPLATE_USER_SUFFIX),
                description.requireString(LlmContract.CHAT_TEMPLATE_ASSISTANT_PREFIX),
                description.requireString(LlmContract.CHAT_TEMPLATE_ASSISTANT_SUFFIX),
                description.requireString(LlmContract.CHAT_TEMPLATE_IMAGE_POSITION),
                description.requireString(LlmContract.IMAGE_PLACEHOLDER));
    }

    /** The prompt of a conversation's first user turn with {@code imageCount} images, ready for the model's answer. */
    public String firstTurn(String userText, int imageCount) {
        return this.system + userTurn(userText, imageCount) + this.assistantPrefix;
    }

    /** One user turn, without the system text or the assistant prefix. */
    public String userTurn(String userText, int imageCount) {
        return this.userPrefix + this.imagePlaceholder.repeat(imageCount) + userText + this.userSuffix;
    }

    /** A finished model answer as it appears in history. */
    public String assistantTurn(String answer) {
        return this.assistantPrefix + answer + this.assistantSuffix;
    }
}
