package io.xcomposer.comprehension.session;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.SessionProperties;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * Conversations in Redis as JSON under {@code xc:session:{id}}, with a TTL renewed by every turn, so any replica
 * can continue any conversation. Two concurrent turns on one conversation: the later save wins.
 */
@Component
public class ConversationStore {

    public static final String KEY_PREFIX = "xc:session:";

    private static final Pattern ID = Pattern.compile("conv_[0-9a-f]{32}");

    private final ReactiveStringRedisTemplate redis;

    private final ObjectMapper json;

    private final SessionProperties properties;

    public ConversationStore(ReactiveStringRedisTemplate redis, ObjectMapper json, SessionProperties properties) {
        this.redis = redis;
        this.json = json;
        this.properties = properties;
    }

    /**
     * A new, empty conversation (stored only once its first turn is saved). Redis is pinged first: a turn that
     * could not be stored is refused up front (503 {@code redis_unavailable}), not generated and then lost.
     */
    public Mono<Conversation> start(@Nullable String system) {
        return this.redis
                .execute(connection -> connection.ping())
                .then(Mono.fromSupplier(() ->
                        new Conversation("conv_" + UUID.randomUUID().toString().replace("-", ""), system, List.of())));
    }

    /** The stored conversation; 400 for a malformed id, 404 when unknown or expired. */
    public Mono<Conversation> load(String id) {
        if (!ID.matcher(id).matches()) {
            return Mono.error(ApiException.badRequest(
                    "invalid_conversation_id",
                    "'" + id + "' is not a conversation id (conv_ followed by 32 hex digits).",
                    "conversation_id"));
        }
        return this.redis
                .opsForValue()
                .get(KEY_PREFIX + id)
                .map(stored -> this.json.readValue(stored, Conversation.class))
                .switchIfEmpty(Mono.error(() -> ApiException.notFound(
                        "conversation_not_found",
                        "No conversation has the id '" + id + "'; it may have expired. Start a new one.",
                        "conversation_id")));
    }

    /** Appends {@code turns} and stores the conversation with a fresh TTL. */
    public Mono<Conversation> append(Conversation conversation, List<ConversationTurn> turns) {
        Conversation updated = conversation.append(turns, this.properties.maxTurns());
        return this.redis
                .opsForValue()
                .set(KEY_PREFIX + updated.id(), this.json.writeValueAsString(updated), this.properties.ttl())
                .thenReturn(updated);
    }
}
