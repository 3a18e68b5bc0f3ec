package io.xcomposer.gateway.stream;

import io.xcomposer.gateway.config.GatewayProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stream event logs in Redis Streams: {@code xc:stream:{id}} holds entries {@code 0-1, 0-2, ...} with field
 * {@code d} (data) or {@code end}; {@code xc:stream:{id}:meta} holds the owner key id. Both share the hash tag
 * {@code {id}} (Cluster: one slot) and expire {@code streams.ttl} after the stream ends (or after its start, for
 * streams whose gateway died), so logs never accumulate.
 */
@Component
public class StreamLog {

    private static final RedisScript<Long> APPEND =
            RedisScript.of(new ClassPathResource("scripts/stream_append.lua"), Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final Duration ttl;

    public StreamLog(ReactiveStringRedisTemplate redis, GatewayProperties properties) {
        this.redis = redis;
        this.ttl = properties.streams().ttl();
    }

    public Mono<Void> open(String streamId, String ownerKeyId) {
        String meta = metaKey(streamId);
        return redis.opsForHash()
                .putAll(meta, Map.of("owner", ownerKeyId, "created", String.valueOf(System.currentTimeMillis())))
                .then(redis.expire(meta, ttl))
                .then();
    }

    /** The owner key id of a stream; empty when unknown or expired. */
    public Mono<String> owner(String streamId) {
        return redis.<String, String>opsForHash().get(metaKey(streamId), "owner");
    }

    public Mono<Void> append(String streamId, LoggedEvent event) {
        return appendAll(streamId, List.of(event));
    }

    /**
     * Appends events in order with one Lua call (XADD per event plus EXPIRE): a per-event command through the
     * reactive template costs more CPU than the relay itself, and batching keeps the log off the hot path.
     */
    public Mono<Void> appendAll(String streamId, List<LoggedEvent> events) {
        if (events.isEmpty()) {
            return Mono.empty();
        }
        List<String> args = new ArrayList<>(1 + events.size() * 3);
        args.add(Long.toString(ttl.toSeconds()));
        for (LoggedEvent event : events) {
            args.add("0-" + event.seq());
            args.add(event.data());
            args.add(event.end() ? "1" : "0");
        }
        return redis.execute(APPEND, List.of(logKey(streamId)), args).then();
    }

    /** Up to {@code count} events with {@code seq >= fromSeq}, in order. */
    public Flux<LoggedEvent> range(String streamId, long fromSeq, int count) {
        return redis.<String, String>opsForStream()
                .range(
                        logKey(streamId),
                        Range.rightUnbounded(Range.Bound.inclusive("0-" + fromSeq)),
                        Limit.limit().count(count))
                .map(StreamLog::toEvent);
    }

    private static LoggedEvent toEvent(MapRecord<String, String, String> record) {
        long seq = record.getId().getSequence();
        Map<String, String> fields = record.getValue();
        return fields.containsKey("end") ? LoggedEvent.end(seq) : LoggedEvent.data(seq, fields.getOrDefault("d", ""));
    }

    static String logKey(String streamId) {
        return "xc:stream:{" + streamId + "}";
    }

    static String metaKey(String streamId) {
        return "xc:stream:{" + streamId + "}:meta";
    }
}
