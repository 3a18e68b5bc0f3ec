package io.xcomposer.composition.article;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xcomposer.composition.config.CompositionProperties;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import tools.jackson.databind.json.JsonMapper;

/** The lease of a running composition against a real redis-server: take, renew, expire, claim, fence. */
class CompositionLeasesTests {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private static final Duration TTL = Duration.ofMillis(400);

    private static LettuceConnectionFactory connections;

    private static ReactiveStringRedisTemplate redis;

    @BeforeAll
    static void connect() {
        RedisServerProcess server = RedisServerProcess.shared();
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration(server.host(), server.port()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new ReactiveStringRedisTemplate(connections);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @Test
    void acquire_takesAFreeLeaseOnce_andListsTheComposition() {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        String id = newId();

        assertThat(a.acquire(id).block(WAIT)).isTrue();
        assertThat(b.acquire(id).block(WAIT)).isFalse();
        assertThat(a.owner(id).block(WAIT)).isEqualTo("a");
        assertThat(a.isListed(id).block(WAIT)).isTrue();
        assertThat(b.listed(100_000).collectList().block(WAIT)).contains(id);
    }

    @Test
    void renew_keepsTheOwnersLeaseAlivePastItsTtl_andRefusesAnyoneElse() throws InterruptedException {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        String id = newId();
        a.acquire(id).block(WAIT);

        for (int i = 0; i < 6; i++) {
            Thread.sleep(TTL.toMillis() / 3);
            assertThat(a.renew(id).block(WAIT)).isTrue();
        }
        assertThat(b.renew(id).block(WAIT)).isFalse();
        assertThat(a.owner(id).block(WAIT)).isEqualTo("a");
        assertThat(pttl(id)).isPositive().isLessThanOrEqualTo(TTL.toMillis());
    }

    @Test
    void aLeaseNotRenewedExpires_thenItsOwnerCannotRenewIt_andAnotherReplicaClaimsIt() throws InterruptedException {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        String id = newId();
        a.acquire(id).block(WAIT);
        assertThat(b.claim(id).block(WAIT)).isFalse();

        awaitExpired(a, id);

        assertThat(a.renew(id).block(WAIT)).isFalse();
        assertThat(b.claim(id).block(WAIT)).isTrue();
        assertThat(a.owner(id).block(WAIT)).isEqualTo("b");
        assertThat(a.claim(id).block(WAIT)).isFalse();
    }

    @Test
    void aReplicaClaimsALiveLeaseThatCarriesItsOwnId_anEarlierIncarnationsOrphan() {
        CompositionLeases before = replica("pod-0");
        CompositionLeases restarted = replica("pod-0");
        String id = newId();
        before.acquire(id).block(WAIT);

        assertThat(restarted.claim(id).block(WAIT)).isTrue();
        assertThat(replica("pod-1").claim(id).block(WAIT)).isFalse();
    }

    @Test
    void release_dropsOnlyTheHoldersLease_andUnlists() {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        String id = newId();
        a.acquire(id).block(WAIT);

        b.release(id).block(WAIT);
        assertThat(a.owner(id).block(WAIT)).isEqualTo("a");

        a.release(id).block(WAIT);
        assertThat(a.owner(id).block(WAIT)).isNull();
        assertThat(a.isListed(id).block(WAIT)).isFalse();
    }

    @Test
    void giveUp_dropsTheLeaseButKeepsTheCompositionListed_forAnotherReplicaToTakeOver() {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        String id = newId();
        a.acquire(id).block(WAIT);

        a.giveUp(id).block(WAIT);

        assertThat(a.owner(id).block(WAIT)).isNull();
        assertThat(a.isListed(id).block(WAIT)).isTrue();
        assertThat(b.claim(id).block(WAIT)).isTrue();
    }

    @Test
    void aRunsWritesAreFencedByItsLease() {
        CompositionLeases a = replica("a");
        CompositionLeases b = replica("b");
        CompositionStore store =
                new CompositionStore(redis, JsonMapper.builder().build(), properties("a"));
        String id = newId();
        Composition running = Composition.start(id, "A Tour of Red Circles", "en", null, false, 60, List.of(), 1);
        a.acquire(id).block(WAIT);

        assertThat(store.commit(running, null, null, "a").block(WAIT)).isZero();
        assertThat(store.append(id, "created", Map.of(), "a").block(WAIT)).isEqualTo(1);
        assertThatThrownBy(() -> store.commit(running.withParagraphs(List.of("stale")), "paragraph_done", Map.of(), "b")
                        .block(WAIT))
                .isInstanceOf(LeaseLost.class);
        assertThatThrownBy(() -> store.append(id, "text_delta", Map.of(), "b").block(WAIT))
                .isInstanceOf(LeaseLost.class);

        a.release(id).block(WAIT);
        b.claim(id).block(WAIT);
        assertThatThrownBy(
                        () -> store.append(id, "paragraph_done", Map.of(), "a").block(WAIT))
                .isInstanceOf(LeaseLost.class);
        assertThat(store.append(id, "error", Map.of(), "b").block(WAIT)).isEqualTo(2);
        assertThat(store.find(id).block(WAIT).paragraphs()).isEmpty();
        assertThat(store.eventsAfter(id, 0).collectList().block(WAIT))
                .extracting(CompositionEvent::type)
                .containsExactly("created", "error");
    }

    private static void awaitExpired(CompositionLeases leases, String id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (leases.owner(id).block(WAIT) != null) {
            assertThat(System.nanoTime()).as("lease expired within %s", WAIT).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long pttl(String id) {
        return redis.getExpire(CompositionStore.leaseKey(id)).block(WAIT).toMillis();
    }

    private static CompositionLeases replica(String replicaId) {
        return new CompositionLeases(redis, properties(replicaId));
    }

    private static CompositionProperties properties(String replicaId) {
        return new Binder(new MapConfigurationPropertySource(Map.of(
                        "xcomposer.composition.lease.replica-id",
                        replicaId,
                        "xcomposer.composition.lease.ttl",
                        TTL.toMillis() + "ms")))
                .bindOrCreate(CompositionProperties.PREFIX, CompositionProperties.class);
    }

    private static String newId() {
        return "cmp_lease_" + UUID.randomUUID().toString().replace("-", "");
    }
}
