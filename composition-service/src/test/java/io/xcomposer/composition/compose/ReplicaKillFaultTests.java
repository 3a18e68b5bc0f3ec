package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.ReplicaProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fault injection: composition-service runs as real child JVMs ({@link ReplicaProcess}) against the tests' real
 * Redis, CPU inference server and retrieval-service; a replica is SIGKILLed while it writes an article that a client
 * follows. The client, reconnecting with {@code Last-Event-ID} (as the SSE protocol and the gateway do), must get
 * {@code error} or the rest of the article within 10 s, and the composition must not stay {@code running}.
 * Measured times go to the test output and {@code target/replica-kill-figures.txt}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ReplicaKillFaultTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration PROMISE = Duration.ofSeconds(10);

    private static final Set<String> FINISHING = Set.of("done", "error");

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE =
            new ParameterizedTypeReference<>() {};

    private final List<ReplicaProcess> replicas = new ArrayList<>();

    @AfterEach
    void stopReplicas() {
        this.replicas.forEach(ReplicaProcess::close);
    }

    @Test
    void replicaKilledMidArticle_anotherReplicaEndsIt_andTheFollowerGetsErrorWithin10s() {
        ReplicaProcess a = replica("replica-a", 0);
        ReplicaProcess b = replica("replica-b", 0);
        a.awaitReady();
        b.awaitReady();
        String id = create(a);

        Followed before = followAndKill(a, id);
        Rest rest = follow(b, id, before.lastId(), PROMISE.minus(before.sinceKill()));
        Duration outcome = before.until(rest.lastNanos());

        assertEnded(rest);
        assertThat(state(b, id).get("status").asString()).isNotEqualTo("running");
        assertThat(outcome).isLessThan(PROMISE);
        record("another replica (lease 3 s, sweep 1 s): kill -> follower's last event " + outcome.toMillis()
                + " ms, ended with " + describe(rest) + "; stream from the killed replica: " + before.ending());
    }

    @Test
    void replicaKilledWhileIllustrating_anotherReplicaResumesIt_andTheFollowerGetsTheRestOfTheArticle() {
        ReplicaProcess a = replica("replica-d", 0);
        ReplicaProcess b = replica("replica-e", 0);
        a.awaitReady();
        b.awaitReady();
        String id = create(a);

        Followed before = followAndKill(a, id, "slot_caption");
        Rest rest = follow(b, id, before.lastId(), PROMISE.multipliedBy(6));
        Duration outcome = before.until(rest.lastNanos());

        assertThat(rest.last().event()).isEqualTo("done");
        List<String> ids = new ArrayList<>(before.ids());
        rest.events().forEach(event -> ids.add(event.id()));
        assertThat(ids)
                .as("every event once, in order, across both replicas")
                .containsExactlyElementsOf(LongStream.rangeClosed(1, ids.size())
                        .mapToObj(Long::toString)
                        .toList());
        JsonNode state = state(b, id);
        assertThat(state.get("status").asString()).isEqualTo("completed");
        assertThat(state.get("blocks")
                        .valueStream()
                        .filter(block -> "image".equals(block.get("type").asString())))
                .isNotEmpty()
                .allMatch(block ->
                        !block.get("image").isNull() || !block.get("error").isNull());
        record("another replica resumes (lease 3 s, sweep 1 s): kill -> first resumed event "
                + before.until(rest.firstNanos()).toMillis() + " ms, kill -> done " + outcome.toMillis() + " ms, "
                + rest.events().size() + " event(s) after the kill");
    }

    @Test
    void replicaStoppedMidArticle_givesItsLeasesUp_soAnotherReplicaTakesOverWithoutWaitingForTheExpiry() {
        String longLease = "--xcomposer.composition.lease.ttl=60s";
        ReplicaProcess a = replica("replica-f", 0, longLease);
        ReplicaProcess b = replica("replica-g", 0, longLease);
        a.awaitReady();
        b.awaitReady();
        String id = create(a);
        Followed before = followAndKill(a, id, "paragraph_done", a::stop);
        // The stopping replica's stream may itself deliver the end (B's takeover) before it closes.
        Rest rest = follow(b, id, before.lastId(), PROMISE);
        List<ServerSentEvent<String>> all = new ArrayList<>(before.events());
        all.addAll(rest.events());
        long endedAt = rest.events().isEmpty() ? before.lastNanos() : rest.lastNanos();

        assertEnded(new Rest(all, 0, endedAt));
        assertThat(state(b, id).get("status").asString()).isNotEqualTo("running");
        assertThat(before.until(endedAt)).isLessThan(PROMISE);
        record("replica stopped by SIGTERM (lease 60 s): stop -> follower's last event "
                + before.until(endedAt).toMillis() + " ms, "
                + (rest.events().isEmpty() ? "on the stopping replica's " + "stream" : "after reconnecting")
                + ", ended with " + describe(new Rest(all, 0, endedAt))
                + "; stream from the stopping replica: " + before.ending());
    }

    @Test
    void onlyReplicaKilledMidArticle_restartedWithItsId_endsItsOrphanAtOnce() {
        String longLease = "--xcomposer.composition.lease.ttl=60s";
        ReplicaProcess first = replica("replica-c", 0, longLease);
        first.awaitReady();
        String id = create(first);

        Followed before = followAndKill(first, id);
        long restart = System.nanoTime();
        ReplicaProcess again = replica("replica-c", first.port(), longLease).awaitReady();
        Duration startup = since(restart);
        long ready = System.nanoTime();
        Rest rest = follow(again, id, before.lastId(), PROMISE);
        Duration afterReady = Duration.ofNanos(rest.lastNanos() - ready);

        assertEnded(rest);
        assertThat(state(again, id).get("status").asString()).isNotEqualTo("running");
        // Well inside the 60 s lease: the restarted replica recognised its own orphan instead of waiting it out.
        assertThat(before.until(rest.lastNanos())).isLessThan(Duration.ofSeconds(50));
        assertThat(afterReady).isLessThan(PROMISE);
        record("same replica restarted (lease 60 s): kill -> ready " + startup.toMillis() + " ms start-up, ready -> "
                + "follower's last event " + afterReady.toMillis() + " ms, kill -> last event "
                + before.until(rest.lastNanos()).toMillis() + " ms, ended with " + describe(rest));
    }

    private ReplicaProcess replica(String replicaId, int port, String... settings) {
        ReplicaProcess replica = ReplicaProcess.start(replicaId, port, settings);
        this.replicas.add(replica);
        return replica;
    }

    private static String create(ReplicaProcess replica) {
        String body = WebClient.create(replica.url())
                .post()
                .uri("/v1/compositions")
                .bodyValue(Map.of("title", "A Tour of Red Circles", "seed", 1))
                .retrieve()
                .bodyToMono(String.class)
                .block(Duration.ofSeconds(30));
        return JSON.readTree(body).get("id").asString();
    }

    /** Follows from the start and SIGKILLs the replica when the first paragraph is done, mid-article. */
    private static Followed followAndKill(ReplicaProcess replica, String id) {
        return followAndKill(replica, id, "paragraph_done");
    }

    /** Follows from the start and SIGKILLs the replica on the first {@code killOn} event. */
    private static Followed followAndKill(ReplicaProcess replica, String id, String killOn) {
        return followAndKill(replica, id, killOn, replica::kill);
    }

    /** Follows from the start and stops the replica ({@code kill}) on the first {@code killOn} event. */
    private static Followed followAndKill(ReplicaProcess replica, String id, String killOn, Runnable kill) {
        List<ServerSentEvent<String>> seen = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        AtomicLong beforeKill = new AtomicLong(-1);
        AtomicLong killedAt = new AtomicLong();
        AtomicReference<String> ending = new AtomicReference<>("completed");
        WebClient.create(replica.url())
                .get()
                .uri("/v1/compositions/{id}/events", id)
                .retrieve()
                .bodyToFlux(SSE)
                .filter(event -> event.event() != null)
                .doOnNext(event -> {
                    seen.add(event);
                    arrivals.add(System.nanoTime());
                    if (killOn.equals(event.event()) && killedAt.get() == 0) {
                        beforeKill.set(seen.size());
                        killedAt.set(System.nanoTime());
                        // Off the event loop: an orderly stop takes a while, and the stream must keep reading
                        // meanwhile.
                        new Thread(kill, "replica-stop").start();
                    }
                })
                .then()
                .onErrorResume(failure -> {
                    Throwable root = failure;
                    while (root.getCause() != null) {
                        root = root.getCause();
                    }
                    ending.set(failure.getClass().getSimpleName() + " caused by " + root);
                    return Mono.empty();
                })
                .block(Duration.ofSeconds(90));
        assertThat(killedAt.get()).as("a %s event before the run ended", killOn).isNotZero();
        assertThat(seen.subList(0, (int) beforeKill.get()))
                .as("killed mid-article")
                .noneMatch(event -> FINISHING.contains(event.event()));
        return new Followed(List.copyOf(seen), arrivals.get(arrivals.size() - 1), killedAt.get(), ending.get());
    }

    /** Reconnects with Last-Event-ID and reads until the stream ends; fails after {@code within}. */
    private static Rest follow(ReplicaProcess replica, String id, long after, Duration within) {
        AtomicLong first = new AtomicLong();
        try {
            List<ServerSentEvent<String>> events = WebClient.create(replica.url())
                    .get()
                    .uri("/v1/compositions/{id}/events", id)
                    .header("Last-Event-ID", Long.toString(after))
                    .retrieve()
                    .bodyToFlux(SSE)
                    .filter(event -> event.event() != null)
                    .doOnNext(event -> first.compareAndSet(0, System.nanoTime()))
                    .collectList()
                    .block(within);
            return new Rest(events, first.get(), System.nanoTime());
        } catch (IllegalStateException timeout) {
            throw new AssertionError("the follower got no end of composition " + id + " within " + within, timeout);
        }
    }

    private static JsonNode state(ReplicaProcess replica, String id) {
        return JSON.readTree(WebClient.create(replica.url())
                .get()
                .uri("/v1/compositions/{id}", id)
                .retrieve()
                .bodyToMono(String.class)
                .block(Duration.ofSeconds(10)));
    }

    private static void assertEnded(Rest rest) {
        assertThat(rest.events()).isNotEmpty();
        ServerSentEvent<String> last = rest.last();
        assertThat(last.event()).isIn(FINISHING);
        if ("error".equals(last.event())) {
            assertThat(JSON.readTree(last.data()).at("/error/code").asString()).isEqualTo("composition_interrupted");
        }
    }

    private static String describe(Rest rest) {
        ServerSentEvent<String> last = rest.last();
        return rest.events().size() + " event(s), last " + last.event() + " " + last.data();
    }

    private static void record(String figure) {
        System.out.println("MEASURED " + figure);
        try {
            Files.writeString(
                    Path.of("target", "replica-kill-figures.txt"),
                    figure + System.lineSeparator(),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** What the client saw from the replica before and as it was killed. */
    private record Followed(List<ServerSentEvent<String>> events, long lastNanos, long killedAtNanos, String ending) {

        List<String> ids() {
            return this.events.stream().map(ServerSentEvent::id).toList();
        }

        long lastId() {
            return Long.parseLong(this.events.get(this.events.size() - 1).id());
        }

        Duration sinceKill() {
            return since(this.killedAtNanos);
        }

        Duration until(long nanos) {
            return Duration.ofNanos(nanos - this.killedAtNanos);
        }
    }

    /** What the client got after reconnecting, and when the first and the last event arrived. */
    private record Rest(List<ServerSentEvent<String>> events, long firstNanos, long lastNanos) {

        ServerSentEvent<String> last() {
            return this.events.get(this.events.size() - 1);
        }
    }
}
