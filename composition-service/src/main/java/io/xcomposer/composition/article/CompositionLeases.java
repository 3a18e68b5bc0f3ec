package io.xcomposer.composition.article;

import io.xcomposer.composition.config.CompositionProperties;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Who runs which composition: a lease per running composition ({@code composition:{id}:lease} = the owner
 * replica's id, expiring {@code lease.ttl} after its last renewal) and the set of compositions that hold or held one
 * ({@code composition:running}), which the sweepers of all replicas walk to find compositions whose owner died.
 * The writes of a run are fenced by the lease ({@link CompositionStore#save(Composition, String)}), so a replica
 * that lost its lease (stalled past the expiry and taken over) cannot write after the one that took over.
 */
@Component
public class CompositionLeases {

    static final String RUNNING = "composition:running";

    /** Extends the lease only while this replica still holds it. */
    private static final RedisScript<Long> RENEW = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0
            """, Long.class);

    /**
     * Takes a lease nobody holds, or one this replica's id holds although no run of this process has it (an
     * earlier incarnation of this replica died with it).
     */
    private static final RedisScript<Long> CLAIM = RedisScript.of("""
            local owner = redis.call('GET', KEYS[1])
            if owner == false or owner == ARGV[1] then
                redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
                return 1
            end
            return 0
            """, Long.class);

    private static final RedisScript<Long> RELEASE = RedisScript.of("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                return redis.call('DEL', KEYS[1])
            end
            return 0
            """, Long.class);

    private final ReactiveStringRedisTemplate redis;

    private final String replicaId;

    private final Duration ttl;

    CompositionLeases(ReactiveStringRedisTemplate redis, CompositionProperties properties) {
        this.redis = redis;
        String configured = properties.lease().replicaId();
        this.replicaId = configured != null && !configured.isBlank() ? configured : randomReplicaId();
        this.ttl = properties.lease().ttl();
    }

    /** This process's owner id in the leases. */
    public String replicaId() {
        return this.replicaId;
    }

    /** Takes the lease of a new composition and lists it as running; emits false when it is already held. */
    public Mono<Boolean> acquire(String id) {
        return this.redis
                .opsForValue()
                .setIfAbsent(CompositionStore.leaseKey(id), this.replicaId, this.ttl)
                .flatMap(
                        taken -> taken ? this.redis.opsForSet().add(RUNNING, id).thenReturn(true) : Mono.just(false));
    }

    /** Emits false when this replica no longer holds the lease (it expired, or another replica took it). */
    public Mono<Boolean> renew(String id) {
        return this.redis
                .execute(RENEW, List.of(CompositionStore.leaseKey(id)), List.of(this.replicaId, millis()))
                .single()
                .map(renewed -> renewed == 1);
    }

    /** Takes the lease of a composition whose owner is gone (see {@link #CLAIM}); emits whether it did. */
    public Mono<Boolean> claim(String id) {
        return this.redis
                .execute(CLAIM, List.of(CompositionStore.leaseKey(id)), List.of(this.replicaId, millis()))
                .single()
                .map(claimed -> claimed == 1);
    }

    /** For a composition that ended: gives the lease up (only if this replica holds it) and unlists it. */
    public Mono<Void> release(String id) {
        return giveUp(id).then(this.redis.opsForSet().remove(RUNNING, id)).then();
    }

    /**
     * For a run this replica stops unfinished: gives the lease up (only if this replica holds it) but keeps the
     * composition listed, so the next sweep of any replica takes it over.
     */
    public Mono<Void> giveUp(String id) {
        return this.redis
                .execute(RELEASE, List.of(CompositionStore.leaseKey(id)), List.of(this.replicaId))
                .then();
    }

    /** The replica holding the lease; empty when nobody does. */
    public Mono<String> owner(String id) {
        return this.redis.opsForValue().get(CompositionStore.leaseKey(id));
    }

    /** Up to {@code limit} of the listed compositions (SSCAN, so a long list does not block Redis). */
    public Flux<String> listed(int limit) {
        return this.redis
                .opsForSet()
                .scan(RUNNING, ScanOptions.scanOptions().count(limit).build())
                .take(limit);
    }

    /** Whether the composition is listed as running (a run that has not released its lease). */
    public Mono<Boolean> isListed(String id) {
        return this.redis.opsForSet().isMember(RUNNING, id);
    }

    private String millis() {
        return Long.toString(this.ttl.toMillis());
    }

    private static String randomReplicaId() {
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return "replica-" + HexFormat.of().formatHex(random);
    }
}
