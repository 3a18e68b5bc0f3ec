package io.xcomposer.gateway.auth;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import org.apache.commons.codec.digest.DigestUtils;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * API keys in Redis. A secret is {@code xc-} + 32 random bytes; Redis holds only its SHA-256, so a Redis dump does
 * not leak usable keys. Layout: {@code xc:key:{sha256}} hash (the record), {@code xc:keyid:{id}} → sha256,
 * {@code xc:keys} set of ids.
 */
@Component
public class ApiKeyStore {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ReactiveStringRedisTemplate redis;

    public ApiKeyStore(ReactiveStringRedisTemplate redis) {
        this.redis = redis;
    }

    public Mono<CreatedKey> create(String name, int requestsPerMinute, long tokensPerMinute) {
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = "xc-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        String hash = sha256(secret);
        ApiKey key = new ApiKey(
                "key_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20),
                name,
                Instant.now(),
                false,
                requestsPerMinute,
                tokensPerMinute);
        Map<String, String> fields = Map.of(
                "id",
                key.id(),
                "name",
                name,
                "created",
                key.created().toString(),
                "revoked",
                "0",
                "rpm",
                String.valueOf(requestsPerMinute),
                "tpm",
                String.valueOf(tokensPerMinute));
        return redis.opsForHash()
                .putAll(recordKey(hash), fields)
                .then(redis.opsForValue().set(idKey(key.id()), hash))
                .then(redis.opsForSet().add("xc:keys", key.id()))
                .thenReturn(new CreatedKey(key, secret));
    }

    /** The key a secret belongs to; empty when unknown. Errors when Redis is unreachable. */
    public Mono<ApiKey> findBySecret(String secret) {
        return findByHash(sha256(secret));
    }

    public Mono<Boolean> revoke(String id) {
        return redis.opsForValue()
                .get(idKey(id))
                .flatMap(hash ->
                        redis.opsForHash().put(recordKey(hash), "revoked", "1").thenReturn(true))
                .defaultIfEmpty(false);
    }

    public Flux<ApiKey> list() {
        return redis.opsForSet()
                .members("xc:keys")
                .concatMap(id -> redis.opsForValue().get(idKey(id)))
                .concatMap(this::findByHash);
    }

    public Mono<Long> count() {
        return redis.opsForSet().size("xc:keys");
    }

    private Mono<ApiKey> findByHash(String hash) {
        return redis.<String, String>opsForHash()
                .entries(recordKey(hash))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue)
                .filter(fields -> fields.containsKey("id"))
                .map(ApiKeyStore::toKey);
    }

    private static ApiKey toKey(Map<String, String> fields) {
        return new ApiKey(
                fields.get("id"),
                fields.getOrDefault("name", ""),
                Instant.parse(fields.get("created")),
                "1".equals(fields.get("revoked")),
                Integer.parseInt(fields.getOrDefault("rpm", "0")),
                Long.parseLong(fields.getOrDefault("tpm", "0")));
    }

    private static String recordKey(String hash) {
        return "xc:key:" + hash;
    }

    private static String idKey(String id) {
        return "xc:keyid:" + id;
    }

    /** Keys are looked up by the hash of their secret, so the store never holds a usable key. */
    static String sha256(String secret) {
        return DigestUtils.sha256Hex(secret);
    }
}
