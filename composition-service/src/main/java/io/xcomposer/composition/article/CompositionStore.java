package io.xcomposer.composition.article;

import io.xcomposer.composition.config.CompositionProperties;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compositions in Redis: the state as one JSON value and the event log as a Redis Stream whose entry ids are the
 * sequence numbers ({@code 7-0} is event 7). Keys share the hash tag {@code {id}} and expire {@code ttl} after the
 * last change.
 */
@Component
public class CompositionStore {

    /**
     * A change in one step: SET the state (ARGV[4], unless empty), then INCR the sequence and XADD the event under it
     * (type ARGV[5], unless empty; data ARGV[6]), so concurrent writers keep the log ordered and a state is never
     * stored without its event, or an event without its state (what lets another replica resume a run from its
     * state). With an owner (ARGV[1]) only while that replica holds the lease (KEYS[4]): -1 otherwise. Emits the
     * event's sequence number, 0 when there was none.
     */
    private static final RedisScript<Long> COMMIT = RedisScript.of("""
            if ARGV[1] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[1] then
                return -1
            end
            if ARGV[4] ~= '' then
                redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[2])
            end
            if ARGV[5] == '' then
                return 0
            end
            local seq = redis.call('INCR', KEYS[3])
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], seq .. '-0', 'type', ARGV[5], 'data', ARGV[6])
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            redis.call('PEXPIRE', KEYS[3], ARGV[2])
            return seq
            """, Long.class);

    private static final int READ_BATCH = 256;

    private final ReactiveStringRedisTemplate redis;

    private final JsonMapper json;

    private final Duration ttl;

    private final int maxEvents;

    CompositionStore(ReactiveStringRedisTemplate redis, JsonMapper json, CompositionProperties properties) {
        this.redis = redis;
        this.json = json;
        this.ttl = properties.ttl();
        this.maxEvents = properties.maxEvents();
    }

    /**
     * Saves {@code state} and, unless {@code type} is null, appends its event, in one step. A non-empty
     * {@code owner} fences the write by the composition's lease: it fails with {@link LeaseLost} once that replica
     * no longer holds it. Emits the event's sequence number (0 without an event).
     */
    public Mono<Long> commit(Composition state, @Nullable String type, @Nullable Object payload, String owner) {
        return run(state.id(), this.json.writeValueAsString(state), type, payload, owner);
    }

    public Mono<Composition> find(String id) {
        return this.redis.opsForValue().get(stateKey(id)).map(text -> this.json.readValue(text, Composition.class));
    }

    /** Appends an event; the payload is serialised to JSON. Emits its sequence number. */
    public Mono<Long> append(String id, String type, Object payload) {
        return append(id, type, payload, "");
    }

    /** Appends an event, fenced by the lease of a non-empty {@code owner} (see {@link #commit}). */
    public Mono<Long> append(String id, String type, Object payload, String owner) {
        return run(id, "", type, payload, owner);
    }

    private Mono<Long> run(String id, String state, @Nullable String type, @Nullable Object payload, String owner) {
        List<String> keys = List.of(stateKey(id), eventsKey(id), "composition:{" + id + "}:seq", leaseKey(id));
        List<String> args = List.of(
                owner,
                Long.toString(this.ttl.toMillis()),
                Integer.toString(this.maxEvents),
                state,
                type == null ? "" : type,
                type == null ? "" : this.json.writeValueAsString(payload));
        return this.redis
                .execute(COMMIT, keys, args)
                .single()
                .flatMap(seq -> seq >= 0 ? Mono.just(seq) : Mono.error(new LeaseLost(id, owner)));
    }

    /** Up to one batch of the events after sequence number {@code after}, in order. */
    public Flux<CompositionEvent> eventsAfter(String id, long after) {
        Range<String> range = Range.rightUnbounded(Range.Bound.inclusive((after + 1) + "-0"));
        return this.redis
                .opsForStream()
                .range(eventsKey(id), range, Limit.limit().count(READ_BATCH))
                .map(CompositionStore::toEvent);
    }

    /** A short lock for one edit at a time; emits false when another edit holds it. */
    public Mono<Boolean> lock(String id, Duration hold) {
        return this.redis.opsForValue().setIfAbsent(lockKey(id), "1", hold);
    }

    public Mono<Boolean> unlock(String id) {
        return this.redis.delete(lockKey(id)).map(deleted -> deleted > 0);
    }

    private static CompositionEvent toEvent(MapRecord<String, Object, Object> entry) {
        long seq = Long.parseLong(entry.getId().getValue().split("-")[0]);
        return new CompositionEvent(
                seq,
                String.valueOf(entry.getValue().get("type")),
                String.valueOf(entry.getValue().get("data")));
    }

    private static String stateKey(String id) {
        return "composition:{" + id + "}:state";
    }

    private static String eventsKey(String id) {
        return "composition:{" + id + "}:events";
    }

    static String leaseKey(String id) {
        return "composition:{" + id + "}:lease";
    }

    private static String lockKey(String id) {
        return "composition:{" + id + "}:lock";
    }
}
