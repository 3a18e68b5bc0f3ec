package io.xcomposer.comprehension.chat;

import io.xcomposer.inference.client.generation.SamplingParams;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A validated chat request.
 *
 * @param system system text replacing the model's own, or null
 * @param turns turns given in the request: earlier ones answered, the last one (answer null) to be answered
 * @param sampling sampling parameters for the model (null fields: the model's defaults)
 * @param reservedTokens context kept free for the answer
 * @param stream answer with server-sent events
 * @param includeUsage send the usage chunk at the end of a stream
 * @param conversationId the stored conversation to continue, or null to start one
 * @param choices independent samples to generate ({@code n}); choice i uses the request's seed + i
 */
public record ChatCommand(
        @Nullable String system,
        List<Turn> turns,
        SamplingParams sampling,
        int reservedTokens,
        boolean stream,
        boolean includeUsage,
        @Nullable String conversationId,
        int choices) {

    public ChatCommand {
        turns = List.copyOf(turns);
    }

    /**
     * A user message (consecutive user messages merged) and the assistant's answer to it.
     *
     * @param images image URLs in order, with the request field each came from
     */
    public record Turn(
            String text, List<ImagePart> images, @Nullable String answer) {

        public Turn {
            images = List.copyOf(images);
        }
    }

    /** An {@code image_url.url} and where it was in the request, e.g. {@code messages[0].content[1]}. */
    public record ImagePart(String url, String param) {}
}
