package io.xcomposer.comprehension.chat;

import io.xcomposer.common.error.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Collects messages into turns: consecutive user messages merge; an assistant message answers them. */
final class MessageCollector {

    private @Nullable String system;

    private final List<ChatCommand.Turn> turns = new ArrayList<>();

    private @Nullable List<UserContent> pending;

    @Nullable
    String systemPrompt() {
        return this.system;
    }

    List<ChatCommand.Turn> turns() {
        return this.turns;
    }

    void system(String text) {
        this.system = this.system == null ? text : this.system + "\n" + text;
    }

    void user(UserContent content, String param) {
        if (content.text().isBlank() && content.images().isEmpty()) {
            throw ChatRequestParser.invalid(param + ".content", "a user message needs text or an image");
        }
        if (this.pending == null) {
            this.pending = new ArrayList<>();
        }
        this.pending.add(content);
    }

    void assistant(String answer, String param) {
        if (this.pending == null) {
            throw ChatRequestParser.invalid(param + ".role", "an assistant message must follow a user message");
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
            throw ChatRequestParser.invalid("messages", "the last message must be a user message");
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
