package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.ScriptedEventStream;
import io.xcomposer.gateway.support.ScriptedEventStream.Answer;
import io.xcomposer.gateway.support.SseClient;
import io.xcomposer.gateway.support.SseClient.Event;
import io.xcomposer.gateway.support.StandaloneGateway;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The composition replica serving a client's event stream dies; composition's lease lets another replica go on, so
 * the gateway reconnects with {@code Last-Event-ID} and the client gets every event once, whole, and the end of the
 * article. A loopback socket double plays the replicas (per composition id, see {@link #answer}); the gateway's
 * resume window is {@link #WINDOW}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositionStreamResumeIntegrationTests {

    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final String E1 = "id: 1\nevent: text_delta\ndata: {\"paragraph\":0,\"text\":\"Shapes are \"}\n\n";
    private static final String E2 = "id: 2\nevent: text_delta\ndata: {\"paragraph\":0,\"text\":\"everywhere.\"}\n\n";
    private static final String E3 = "id: 3\nevent: paragraph_done\ndata: {\"paragraph\":0}\n\n";
    private static final String E4 = "id: 4\nevent: done\ndata: {\"status\":\"completed\"}\n\n";
    /** Event 3 cut off by the kill: its id and event lines went out, its data and blank line did not. */
    private static final String HALF_E3 = "id: 3\nevent: paragraph_done\ndata: {\"parag";

    private final ScriptedEventStream replicas =
            new ScriptedEventStream(CompositionStreamResumeIntegrationTests::answer);
    private ConfigurableApplicationContext gateway;
    private SseClient sse;

    @BeforeAll
    void start() {
        gateway = StandaloneGateway.start(
                "--server.port=0",
                "--spring.data.redis.port=" + RedisServerProcess.shared().port(),
                "--xcomposer.gateway.composition-url=" + replicas.url(),
                "--xcomposer.gateway.http.stream-resume-window=" + WINDOW.toMillis() + "ms",
                "--xcomposer.gateway.bootstrap-key=false");
        String key = gateway.getBean(ApiKeyStore.class)
                .create("resume", 0, 0)
                .block(Duration.ofSeconds(5))
                .secret();
        sse = new SseClient(StandaloneGateway.port(gateway), key);
    }

    @AfterAll
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        replicas.close();
    }

    /** What the n-th connection for each composition gets. */
    private static Answer answer(String path, int connection, String lastEventId) {
        String id = path.split("/")[3];
        return switch (id) {
            // killed inside event 3; the next replica serves what comes after Last-Event-ID
            case "cmp_killed" ->
                connection == 0
                        ? Answer.events(false, E1, ": keep-alive\n\n", E2, HALF_E3)
                        : "2".equals(lastEventId) ? Answer.events(true, E3, E4) : Answer.unavailable();
            // the next replica ignores Last-Event-ID and replays from the start
            case "cmp_replayed" ->
                connection == 0 ? Answer.events(false, E1, E2 + HALF_E3) : Answer.events(true, E1, E2, E3, E4);
            // a clean end of the body without done
            case "cmp_clean_end" ->
                connection == 0
                        ? Answer.events(true, E1, E2)
                        : "2".equals(lastEventId) ? Answer.events(true, E3, E4) : Answer.unavailable();
            // no replica takes over: every reconnect is refused
            case "cmp_orphaned" -> connection == 0 ? Answer.events(false, E1, E2, HALF_E3) : Answer.unavailable();
            // the client resumed after 2 itself; the first connection dies before it delivered anything new
            case "cmp_resumed_by_client" ->
                connection == 0
                        ? Answer.events(false, HALF_E3)
                        : "2".equals(lastEventId) ? Answer.events(true, E3, E4) : Answer.unavailable();
            // killed after its done event: nothing to resume
            case "cmp_finished" -> connection == 0 ? Answer.events(false, E1, E4) : Answer.unavailable();
            default -> Answer.unavailable();
        };
    }

    @Test
    void replicaKilledMidEvent_reconnectsWithLastEventId_clientGetsEveryEventOnceAndDone() {
        long began = System.nanoTime();
        List<Event> events = follow("cmp_killed", Map.of());
        System.out.printf(
                "stream resume: %d events, done after %d ms%n",
                events.size(), Duration.ofNanos(System.nanoTime() - began).toMillis());

        assertThat(events).extracting(Event::id).containsExactly("1", "2", "3", "4");
        assertThat(events)
                .extracting(Event::event)
                .containsExactly("text_delta", "text_delta", "paragraph_done", "done");
        assertThat(events.get(2).data()).isEqualTo("{\"paragraph\":0}"); // the whole event, not the cut-off half
        assertThat(replicas.lastEventIds("/v1/compositions/cmp_killed/events")).containsExactly("", "2");
    }

    @Test
    void reconnectThatReplaysFromTheStart_isRelayedWithoutDuplicates() {
        List<Event> events = follow("cmp_replayed", Map.of());

        assertThat(events).extracting(Event::id).containsExactly("1", "2", "3", "4");
        assertThat(replicas.lastEventIds("/v1/compositions/cmp_replayed/events"))
                .containsExactly("", "2");
    }

    @Test
    void streamEndingCleanlyWithoutDone_isResumedToo() {
        List<Event> events = follow("cmp_clean_end", Map.of());

        assertThat(events).extracting(Event::id).containsExactly("1", "2", "3", "4");
        assertThat(events.get(3).event()).isEqualTo("done");
    }

    @Test
    void clientsOwnLastEventId_isWhereTheReconnectStartsBeforeAnyEvent() {
        List<Event> events = follow("cmp_resumed_by_client", Map.of("Last-Event-ID", "2"));

        assertThat(events).extracting(Event::id).containsExactly("3", "4");
        assertThat(replicas.lastEventIds("/v1/compositions/cmp_resumed_by_client/events"))
                .containsExactly("2", "2");
    }

    @Test
    void noReplicaTakesOver_errorEventWithinTheWindow_afterRetrying() {
        long began = System.nanoTime();
        List<Event> events = follow("cmp_orphaned", Map.of());
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        List<String> reconnects = replicas.lastEventIds("/v1/compositions/cmp_orphaned/events");
        System.out.printf(
                "stream resume refused: error after %d ms, %d reconnects%n", took.toMillis(), reconnects.size() - 1);

        assertThat(events).extracting(Event::id).startsWith("1", "2");
        assertThat(events).hasSize(3);
        Event last = events.get(2);
        assertThat(last.event()).isEqualTo("error");
        assertThat(last.data()).startsWith("{\"error\":{").contains("\"code\":\"upstream_stream_interrupted\"");
        assertThat(reconnects).hasSizeGreaterThanOrEqualTo(3).first().isEqualTo("");
        assertThat(reconnects.subList(1, reconnects.size())).containsOnly("2");
        assertThat(took).isGreaterThanOrEqualTo(WINDOW.minusMillis(200)).isLessThan(WINDOW.plusSeconds(3));
    }

    @Test
    void brokenOffAfterDone_endsWithoutReconnecting() {
        List<Event> events = follow("cmp_finished", Map.of());

        assertThat(events).extracting(Event::event).containsExactly("text_delta", "done");
        assertThat(replicas.lastEventIds("/v1/compositions/cmp_finished/events"))
                .hasSize(1);
    }

    private List<Event> follow(String composition, Map<String, String> headers) {
        SseClient.Response response = sse.get("/v1/compositions/" + composition + "/events", headers);
        assertThat(response.status()).isEqualTo(200);
        return response.readAll();
    }
}
