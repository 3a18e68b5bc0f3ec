package io.xcomposer.comprehension.chat;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.comprehension.prompt.ImageAnchors;
import io.xcomposer.inference.client.contract.LlmContract;
import io.xcomposer.inference.client.generation.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Checks a {@link ChatCompletionRequest} and turns it into a {@link ChatCommand}. Each problem is a 400 naming the
 * field ({@code param}) and what is accepted, in OpenAI's wording style.
 */
@Component
class ChatRequestParser {

    private static final int MAX_STOP_SEQUENCES = 4;

    private final ComprehensionProperties properties;

    private final ModelSpecsSource specs;

    ChatRequestParser(ComprehensionProperties properties, ModelSpecsSource specs) {
        this.properties = properties;
        this.specs = specs;
    }

    ChatCommand parse(ChatCompletionRequest request) {
        int contextLength = this.specs.get().llm().contextLength();
        if (request.n() != null && request.n() != 1) {
            throw invalid("n", "only n = 1 is supported");
        }
        boolean stream = Boolean.TRUE.equals(request.stream());
        if (request.streamOptions() != null && !stream) {
            throw invalid("stream_options", "stream_options is only allowed when stream is true");
        }
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        String maxTokensParam = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        if (maxTokens != null && (maxTokens < 1 || maxTokens >= contextLength)) {
            throw invalid(
                    maxTokensParam, "expected an integer from 1 to " + (contextLength - 1) + ", got " + maxTokens);
        }
        SamplingParams sampling = new SamplingParams(
                maxTokens,
                range("temperature", request.temperature(), 0, 2, true),
                range("top_p", request.topP(), 0, 1, false),
                nonNegative("top_k", request.topK()),
                range("repetition_penalty", request.repetitionPenalty(), 0, 10, false),
                request.seed(),
                stops(request.stop()),
                numBeams(request.numBeams()),
                range("length_penalty", request.lengthPenalty(), -10, 10, true));
        MessageCollector conversation = messages(request.messages());
        boolean includeUsage = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return new ChatCommand(
                conversation.system,
                conversation.turns,
                sampling,
                maxTokens != null ? maxTokens : this.specs.get().llm().defaultMaxTokens(),
                stream,
                includeUsage,
                request.conversationId());
    }

    private MessageCollector messages(@Nullable List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw invalid("messages", "expected a non-empty array of messages");
        }
        MessageCollector conversation = new MessageCollector();
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            ChatCompletionRequest.Message message = messages.get(i);
            if (message == null) {
                throw invalid(param, "expected a message object, got null");
            }
            String role = message.role();
            if (role == null) {
                throw invalid(param + ".role", "expected one of 'system', 'developer', 'user', 'assistant'");
            }
            switch (role) {
                case "system", "developer" -> conversation.system(textOnly(message.content(), param + ".content"));
                case "user" -> conversation.user(content(message.content(), param + ".content"), param);
                case "assistant" -> conversation.assistant(textOnly(message.content(), param + ".content"), param);
                default ->
                    throw invalid(
                            param + ".role",
                            "role '" + role
                                    + "' is not supported; expected 'system', 'developer', 'user' or 'assistant'");
            }
        }
        conversation.finish(this.properties.maxImagesPerRequest());
        return conversation;
    }

    private UserContent content(@Nullable JsonNode content, String param) {
        if (content == null || content.isNull()) {
            throw invalid(param, "a user message needs content");
        }
        if (content.isString()) {
            return new UserContent(ImageAnchors.strip(content.stringValue()), List.of(), false);
        }
        if (!content.isArray()) {
            throw invalid(param, "expected a string or an array of content parts");
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
                    throw invalid(partParam + ".text", "a text part needs a string 'text'");
                }
                parts.add(ImageAnchors.strip(part.path("text").stringValue()));
            } else if ("image_url".equals(type)) {
                images.add(new ChatCommand.ImagePart(imageUrl(part.path("image_url"), partParam), partParam));
                parts.add(null);
            } else {
                throw invalid(
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
            throw invalid(
                    param + ".image_url.url",
                    "an image_url part needs 'image_url': {'url': <data URL, https URL or uploaded image id>}");
        }
        return url.stringValue().trim();
    }

    private static String textOnly(@Nullable JsonNode content, String param) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isString()) {
            return content.stringValue();
        }
        if (!content.isArray()) {
            throw invalid(param, "expected a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            if (!"text".equals(part.path("type").asString(null))
                    || !part.path("text").isString()) {
                throw invalid(param + "[" + i + "]", "only text parts are allowed in system and assistant messages");
            }
            text.append(text.isEmpty() ? "" : "\n").append(part.path("text").stringValue());
        }
        return text.toString();
    }

    private static @Nullable Float range(
            String param, @Nullable Double value, double min, double max, boolean minInclusive) {
        if (value == null) {
            return null;
        }
        boolean aboveMin = minInclusive ? value >= min : value > min;
        if (!aboveMin || value > max || value.isNaN()) {
            throw invalid(
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
    private static @Nullable Integer numBeams(@Nullable Integer value) {
        if (value != null && (value < 1 || value > LlmContract.MAX_NUM_BEAMS)) {
            throw invalid("num_beams", "expected an integer from 1 to " + LlmContract.MAX_NUM_BEAMS + ", got " + value);
        }
        return value;
    }

    private static @Nullable Integer nonNegative(String param, @Nullable Integer value) {
        if (value != null && value < 0) {
            throw invalid(param, "expected an integer ≥ 0 (0 turns it off), got " + value);
        }
        return value;
    }

    private static List<String> stops(@Nullable JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (stop.isString()) {
            stops.add(stop.stringValue());
        } else if (stop.isArray() && stop.size() <= MAX_STOP_SEQUENCES) {
            for (JsonNode element : stop) {
                if (!element.isString()) {
                    throw invalid("stop", "expected a string or an array of up to 4 strings");
                }
                stops.add(element.stringValue());
            }
        } else {
            throw invalid("stop", "expected a string or an array of up to 4 strings");
        }
        if (stops.stream().anyMatch(String::isEmpty)) {
            throw invalid("stop", "stop sequences must not be empty");
        }
        return stops;
    }

    private static String format(double number) {
        return number == Math.rint(number) ? String.valueOf((long) number) : String.valueOf(number);
    }

    static ApiException invalid(String param, String problem) {
        return ApiException.badRequest("invalid_value", "Invalid '" + param + "': " + problem + ".", param);
    }

    /** @param anchored whether {@code text} marks where each image sits ({@link ImageAnchors}) */
    private record UserContent(String text, List<ChatCommand.ImagePart> images, boolean anchored) {

        /** The text with an anchor for each image, the images first where the message does not interleave them. */
        String anchoredText() {
            return this.anchored
                    ? this.text
                    : String.valueOf(ImageAnchors.ANCHOR).repeat(this.images.size()) + this.text;
        }
    }

    /** Collects messages into turns: consecutive user messages merge; an assistant message answers them. */
    private static final class MessageCollector {

        private @Nullable String system;

        private final List<ChatCommand.Turn> turns = new ArrayList<>();

        private @Nullable List<UserContent> pending;

        void system(String text) {
            this.system = this.system == null ? text : this.system + "\n" + text;
        }

        void user(UserContent content, String param) {
            if (content.text().isBlank() && content.images().isEmpty()) {
                throw invalid(param + ".content", "a user message needs text or an image");
            }
            if (this.pending == null) {
                this.pending = new ArrayList<>();
            }
            this.pending.add(content);
        }

        void assistant(String answer, String param) {
            if (this.pending == null) {
                throw invalid(param + ".role", "an assistant message must follow a user message");
            }
            this.turns.add(pendingTurn(answer));
        }

        /**
         * Consecutive user messages merge into one turn, their texts a line each. Where one of them interleaves its
         * images, every message's images are anchored (the others' before their own text) so that none moves.
         */
        private ChatCommand.Turn pendingTurn(@Nullable String answer) {
            List<UserContent> contents = Objects.requireNonNull(this.pending);
            boolean anchored = contents.stream().anyMatch(UserContent::anchored);
            StringBuilder text = new StringBuilder();
            List<ChatCommand.ImagePart> images = new ArrayList<>();
            for (UserContent content : contents) {
                String part = anchored ? content.anchoredText() : content.text();
                if (!part.isEmpty()) {
                    text.append(text.isEmpty() ? "" : "\n").append(part);
                }
                images.addAll(content.images());
            }
            this.pending = null;
            return new ChatCommand.Turn(text.toString(), images, answer);
        }

        void finish(int maxImages) {
            if (this.pending == null) {
                throw invalid("messages", "the last message must be a user message");
            }
            this.turns.add(pendingTurn(null));
            long images =
                    this.turns.stream().mapToLong(turn -> turn.images().size()).sum();
            if (images > maxImages) {
                throw ApiException.badRequest(
                        "too_many_images",
                        "The request has " + images + " images; at most " + maxImages + " are accepted.",
                        "messages");
            }
        }
    }
}
