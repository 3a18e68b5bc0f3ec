package io.xcomposer.composition.article;

import java.time.Duration;
import java.util.List;

import io.xcomposer.composition.config.CompositionProperties;
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
	 * INCR the sequence and XADD under it in one step, so concurrent writers keep the log ordered. With an owner
	 * (ARGV[5]) only while that replica holds the lease (KEYS[3]); -1 otherwise.
	 */
	private static final RedisScript<Long> APPEND = RedisScript.of("""
			if ARGV[5] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[5] then
				return -1
			end
			local seq = redis.call('INCR', KEYS[2])
			redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[4], seq .. '-0', 'type', ARGV[1], 'data', ARGV[2])
			redis.call('PEXPIRE', KEYS[1], ARGV[3])
			redis.call('PEXPIRE', KEYS[2], ARGV[3])
			return seq
			""", Long.class);

	/** SET the state only while the owner (ARGV[3]) holds the lease (KEYS[2]); 0 otherwise. */
	private static final RedisScript<Long> SAVE_OWNED = RedisScript.of("""
			if redis.call('GET', KEYS[2]) ~= ARGV[3] then
				return 0
			end
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
			return 1
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

	public Mono<Composition> save(Composition composition) {
		return this.redis.opsForValue()
			.set(stateKey(composition.id()), this.json.writeValueAsString(composition), this.ttl)
			.thenReturn(composition);
	}

	/** Saves a run's change, fenced by its lease: fails with {@link LeaseLost} once {@code owner} lost it. */
	public Mono<Composition> save(Composition composition, String owner) {
		List<String> keys = List.of(stateKey(composition.id()), leaseKey(composition.id()));
		List<String> args = List.of(this.json.writeValueAsString(composition), Long.toString(this.ttl.toMillis()), owner);
		return this.redis.execute(SAVE_OWNED, keys, args)
			.single()
			.flatMap(saved -> saved == 1 ? Mono.just(composition) : Mono.error(new LeaseLost(composition.id(), owner)));
	}

	public Mono<Composition> find(String id) {
		return this.redis.opsForValue().get(stateKey(id)).map(text -> this.json.readValue(text, Composition.class));
	}

	/** Appends an event; the payload is serialised to JSON. Emits its sequence number. */
	public Mono<Long> append(String id, String type, Object payload) {
		return append(id, type, payload, "");
	}

	/**
	 * Appends a run's event, fenced by its lease: fails with {@link LeaseLost} once {@code owner} lost it; an empty
	 * owner appends unconditionally.
	 */
	public Mono<Long> append(String id, String type, Object payload, String owner) {
		List<String> keys = List.of(eventsKey(id), "composition:{" + id + "}:seq", leaseKey(id));
		List<String> args = List.of(type, this.json.writeValueAsString(payload), Long.toString(this.ttl.toMillis()),
				Integer.toString(this.maxEvents), owner);
		return this.redis.execute(APPEND, keys, args)
			.single()
			.flatMap(seq -> seq >= 0 ? Mono.just(seq) : Mono.error(new LeaseLost(id, owner)));
	}

	/** The newest event, if any. */
	public Mono<CompositionEvent> lastEvent(String id) {
		return this.redis.opsForStream()
			.reverseRange(eventsKey(id), Range.unbounded(), Limit.limit().count(1))
			.next()
			.map(CompositionStore::toEvent);
	}

	/** Up to one batch of the events after sequence number {@code after}, in order. */
	public Flux<CompositionEvent> eventsAfter(String id, long after) {
		Range<String> range = Range.rightUnbounded(Range.Bound.inclusive((after + 1) + "-0"));
		return this.redis.opsForStream()
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
		return new CompositionEvent(seq, String.valueOf(entry.getValue().get("type")),
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
