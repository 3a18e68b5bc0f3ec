package io.xcomposer.comprehension.chat;

import io.xcomposer.comprehension.prompt.ImageAnchors;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The {@code content} of one message: a string or an array of parts. A user message may carry {@code text} and
 * {@code image_url} parts (where the images sit decides whether the text keeps anchors for them); system and
 * assistant messages only text.
 */
final class ContentParts {

    private ContentParts() {}

    static UserContent user(@Nullable JsonNode content, String param) {
        if (content == null || content.isNull()) {
            throw ChatRequestParser.invalid(param, "a user message needs content");
        }
        if (content.isString()) {
            return new UserContent(ImageAnchors.strip(content.stringValue()), List.of(), false);
        }
        if (!content.isArray()) {
            throw ChatRequestParser.invalid(param, "expected a string or an array of content parts");
        }
        List<@Nullable String> parts = new ArrayList<>(); // text, or null where an image sits
        List<ChatCommand.ImagePart> images = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            String partParam = param + "[" + i + "]";
            JsonNode part = content.get(i);
            String type = part.isObject() && part.path("type").isString()
                    ? part.path("type").stringValue()
                    : null;
            if ("text".equals(type)) {
                if (!part.path("text").isString()) {
                    throw ChatRequestParser.invalid(partParam + ".text", "a text part needs a string 'text'");
                }
                parts.add(ImageAnchors.strip(part.path("text").stringValue()));
            } else if ("image_url".equals(type)) {
                images.add(new ChatCommand.ImagePart(imageUrl(part.path("image_url"), partParam), partParam));
                parts.add(null);
            } else {
                throw ChatRequestParser.invalid(
                        partParam + ".type",
                        type == null
                                ? "each content part needs a string 'type'"
                                : "content part type '" + type + "' is not supported; expected 'text' or 'image_url'");
            }
        }
        boolean interleaved = interleaved(parts);
        StringBuilder text = new StringBuilder();
        boolean afterText = false;
        for (String part : parts) {
            if (part == null) {
                if (interleaved) {
                    text.append(ImageAnchors.ANCHOR);
                }
                afterText = false;
            } else {
                // Adjacent text parts are separate lines; text next to an image joins it directly ("A." image).
                text.append(afterText ? "\n" : "").append(part);
                afterText = true;
            }
        }
        return new UserContent(text.toString(), images, interleaved);
    }

    /** Whether some image has text before it and after it: then the images stay where they are. */
    private static boolean interleaved(List<@Nullable String> parts) {
        int firstText = -1;
        int lastText = -1;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part != null && !part.isBlank()) {
                firstText = firstText < 0 ? i : firstText;
                lastText = i;
            }
        }
        for (int i = firstText + 1; firstText >= 0 && i < lastText; i++) {
            if (parts.get(i) == null) {
                return true;
            }
        }
        return false;
    }

    private static String imageUrl(JsonNode imageUrl, String param) {
        JsonNode url = imageUrl.isString() ? imageUrl : imageUrl.path("url");
        if (!url.isString() || url.stringValue().isBlank()) {
            throw ChatRequestParser.invalid(
                    param + ".image_url.url",
                    "an image_url part needs 'image_url': {'url': <data URL, https URL or uploaded image id>}");
        }
        return url.stringValue().trim();
    }

    static String textOnly(@Nullable JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.stringValue();
        }
        if (!content.isArray()) {
            throw ChatRequestParser.invalid(param, "expected a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!"text".equals(part.path("type").asString(null))
                    || !part.path("text").isString()) {
                throw ChatRequestParser.invalid(
                        param + "[" + i + "]", "only text parts are allowed in system and assistant messages");
            }
            text.append(text.isEmpty() ? "" : "\n").append(part.path("text").stringValue());
        }
        return text.toString();
    }
}
