package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.composition.article.Composition;
import io.xcomposer.composition.article.CompositionEvent;
import io.xcomposer.composition.article.CompositionLeases;
import io.xcomposer.composition.article.CompositionStore;
import io.xcomposer.composition.support.IntegrationTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.codec.ServerSentEvent;
import tools.jackson.databind.JsonNode;

/**
 * Compositions whose replica died, in the running service: a dead replica is simulated by writing what it leaves
 * behind in Redis (a running state, its events, a lease that is no longer renewed), using the service's documented
 * layout ({@code composition:{id}:lease}, {@code composition:running}). The lease expiry is the default 3 s.
 */
class OrphanRecoveryIntegrationTests extends IntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A resumed run calls the model and retrieval for the remaining steps. */
    private static final Duration RESUMED_RUN = Duration.ofSeconds(60);

    @Autowired
    private CompositionStore store;

    @Autowired
    private CompositionLeases leases;

    @Autowired
    private OrphanSweeper sweeper;

    @Autowired
    private ReactiveStringRedisTemplate redis;

    @Autowired
    private MeterRegistry registry;

    @Test
    void aFollowerOfACompositionWhoseReplicaDied_getsErrorSoonAfterTheLeaseExpires() {
        String id = orphan("replica-dead", Duration.ofSeconds(1));
        long start = System.nanoTime();

        List<ServerSentEvent<String>> events = follow(id, 0);

        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(events).extracting(ServerSentEvent::event).containsExactly("created", "paragraph_done", "error");
        assertThat(JSON.readTree(events.get(2).data()).at("/error/code").asString())
                .isEqualTo(OrphanSweeper.INTERRUPTED);
        // 1 s lease + up to 1 s until a sweep or the follower's own check, with room for a loaded machine.
        assertThat(millis).isLessThan(5000);
        JsonNode state = get("/v1/compositions/" + id);
        assertThat(state.get("status").asString()).isEqualTo("failed");
        assertThat(state.at("/error/code").asString()).isEqualTo(OrphanSweeper.INTERRUPTED);
        assertThat(blocks(state, "text")).hasSize(1);
        assertThat(this.leases.isListed(id).block(WAIT)).isFalse();
    }

    @Test
    void aLeaseWithThisReplicasIdButNoRunHere_isEndedWithoutWaitingForItsExpiry() {
        String id = orphan(this.leases.replicaId(), Duration.ofMinutes(5));

        List<ServerSentEvent<String>> events = follow(id, 2);

        assertThat(events).extracting(ServerSentEvent::event).containsExactly("error");
        assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("failed");
    }

    @Test
    void aLiveLeaseOfAnotherReplica_isLeftAlone() {
        String id = orphan("replica-alive", Duration.ofMinutes(5));

        assertThat(this.sweeper.recoverIfOrphaned(id).block(WAIT)).isFalse();
        this.sweeper.sweep().block(WAIT);

        assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("running");
        assertThat(lastEvent(id).type()).isEqualTo("paragraph_done");
        this.redis.delete("composition:{" + id + "}:lease").block(WAIT);
        assertThat(follow(id, 2)).extracting(ServerSentEvent::event).containsExactly("error");
    }

    @Test
    void anOrphanWhoseArticleWasWritten_isResumedFromItsState_andTheFollowerGetsTheRestOnce() {
        double resumed = this.registry.counter("composition.resumed").count();
        String id = orphan("replica-dead", Duration.ofMillis(500), state -> state.withWritten());

        List<ServerSentEvent<String>> rest = follow(id, 2, RESUMED_RUN);

        assertThat(rest)
                .extracting(ServerSentEvent::event)
                .startsWith("slots_chosen")
                .endsWith("done")
                .doesNotContain("created", "text_delta", "paragraph_done", "error");
        assertThat(rest)
                .extracting(ServerSentEvent::id)
                .containsExactlyElementsOf(LongStream.rangeClosed(3, rest.size() + 2)
                        .mapToObj(Long::toString)
                        .toList());
        JsonNode state = get("/v1/compositions/" + id);
        assertThat(state.get("status").asString()).isEqualTo("completed");
        assertThat(blocks(state, "text"))
                .extracting(block -> block.get("text").asString())
                .containsExactly("A small red circle sits in the center.");
        assertThat(this.registry.counter("composition.resumed").count()).isEqualTo(resumed + 1);
    }

    @Test
    void anOrphanThatWasCaptioning_isResumedAtTheNextUnrecordedStep() {
        String id = orphan(
                "replica-dead",
                Duration.ofMillis(500),
                state -> state.withWritten().withSpotted(List.of(0)));

        List<ServerSentEvent<String>> rest = follow(id, 2, RESUMED_RUN);

        assertThat(rest)
                .extracting(ServerSentEvent::event)
                .startsWith("slot_caption", "candidates", "image_selected")
                .endsWith("done")
                .doesNotContain("slots_chosen", "error");
        JsonNode state = get("/v1/compositions/" + id);
        assertThat(state.get("status").asString()).isEqualTo("completed");
        assertThat(blocks(state, "image")).hasSize(1);
        assertThat(blocks(state, "image").get(0).get("image").isNull()).isFalse();
    }

    @Test
    void aRunThatLosesItsLease_stopsWriting_andIsEndedByWhoeverTakesItOver() throws InterruptedException {
        double abandoned = this.registry.counter("composition.abandoned").count();
        String id = create(Map.of("title", "A Tour of Red Circles"));
        List<ServerSentEvent<String>> first = this.web
                .get()
                .uri("/v1/compositions/{id}/events", id)
                .exchange()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
                .getResponseBody()
                .filter(event -> "text_delta".equals(event.event()))
                .take(1)
                .collectList()
                .block(WAIT);
        assertThat(first).hasSize(1);
        // Another replica took the lease over while this one stalled.
        this.redis
                .opsForValue()
                .set("composition:{" + id + "}:lease", "replica-thief", Duration.ofMinutes(5))
                .block(WAIT);
        Thread.sleep(1500);
        long seq = lastEvent(id).seq();
        Thread.sleep(1000);

        assertThat(lastEvent(id).seq()).as("no write after the lease was lost").isEqualTo(seq);
        assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("running");
        assertThat(this.registry.counter("composition.abandoned").count()).isEqualTo(abandoned + 1);

        // Whoever takes over ends a run stopped while writing, and resumes one whose article was already written:
        // on a loaded machine the tiny model can finish the text before this test's client sees its first delta.
        boolean written = CompositionRun.resumable(this.store.find(id).block(WAIT));
        this.redis.delete("composition:{" + id + "}:lease").block(WAIT);
        if (written) {
            List<String> rest = follow(id, seq, RESUMED_RUN).stream()
                    .map(ServerSentEvent::event)
                    .toList();
            assertThat(rest).doesNotContain("text_delta", "error").last().isEqualTo("done");
            assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("completed");
        } else {
            assertThat(follow(id, seq)).extracting(ServerSentEvent::event).containsExactly("error");
            assertThat(get("/v1/compositions/" + id).get("status").asString()).isEqualTo("failed");
        }
    }

    /** What a replica that died while writing leaves: a running state, two events, a lease expiring after {@code ttl}. */
    private String orphan(String owner, Duration ttl) {
        return orphan(owner, ttl, UnaryOperator.identity());
    }

    /** An orphan whose state went further ({@code progress}: the steps it recorded). */
    private String orphan(String owner, Duration ttl, UnaryOperator<Composition> progress) {
        String id = "cmp_orphan_" + UUID.randomUUID().toString().replace("-", "");
        Composition running =
                progress.apply(Composition.start(id, "A Tour of Red Circles", "en", null, false, 60, List.of(), 1)
                        .withParagraphs(List.of("A small red circle sits in the center.")));
        this.redis
                .opsForValue()
                .set("composition:{" + id + "}:lease", owner, ttl)
                .block(WAIT);
        this.redis.opsForSet().add("composition:running", id).block(WAIT);
        this.store.commit(running, "created", CompositionView.of(running), "").block(WAIT);
        this.store
                .append(
                        id,
                        "paragraph_done",
                        Map.of("paragraph", 0, "text", running.paragraphs().get(0)))
                .block(WAIT);
        return id;
    }

    private CompositionEvent lastEvent(String id) {
        List<CompositionEvent> all = this.store.eventsAfter(id, 0).collectList().block(WAIT);
        return all.get(all.size() - 1);
    }

    /** The event stream from {@code after} until it ends, failing after 10 s (before the fix it never ended). */
    private List<ServerSentEvent<String>> follow(String id, long after) {
        return follow(id, after, WAIT);
    }

    private List<ServerSentEvent<String>> follow(String id, long after, Duration within) {
        return events(id, after, within);
    }
}
