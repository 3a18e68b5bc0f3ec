package io.xcomposer.comprehension.session;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A stored conversation.
 *
 * @param id {@code conv_} + 32 hex digits
 * @param system the system message the conversation started with; null for the model's own
 * @param turns finished turns, oldest first
 */
public record Conversation(String id, @Nullable String system, List<ConversationTurn> turns) {

    public Conversation {
        turns = List.copyOf(turns);
    }

    /** This conversation with {@code turns} appended, keeping at most the newest {@code maxTurns}. */
    public Conversation append(List<ConversationTurn> turns, int maxTurns) {
        List<ConversationTurn> appended = new ArrayList<>(this.turns);
        appended.addAll(turns);
        int drop = Math.max(0, appended.size() - maxTurns);
        return new Conversation(this.id, this.system, appended.subList(drop, appended.size()));
    }
}
