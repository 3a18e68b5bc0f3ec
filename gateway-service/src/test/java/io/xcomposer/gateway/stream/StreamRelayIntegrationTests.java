package io.xcomposer.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.support.TestRedisConnections;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;

/**
 * The relay on its own against a real redis-server: ids, the log in Redis, the error that replaces a stream cut off,
 * the stream cap, and the cancel of a stream whose client left and did not come back.
 */
class StreamRelayIntegrationTests {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final RedisServerProcess REDIS = RedisServerProcess.shared();
    private static LettuceConnectionFactory connections;
    private static ReactiveStringRedisTemplate redis;

    private StreamRelay relay;
    private StreamLog streamLog;

    @BeforeAll
    static void connect() {
        connections = TestRedisConnections.connect(REDIS);
        redis = new ReactiveStringRedisTemplate(connections);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @AfterEach
    void stop() {
        relay.stopTicker();
    }

    @Test
    void start_numbersTheEvents_andLogsThemWithTheEnd() {
        newRelay(Map.of());
        String id = StreamRelay.newStreamId();
        List<ServerSentEvent<String>> got = relay.start(id, Flux.just("{\"a\":1}", "{\"a\":2}", "[DONE]"))
                .filter(event -> event.data() != null)
                .collectList()
                .block(TIMEOUT);

        assertThat(got).extracting(ServerSentEvent::id).containsExactly("1", "2", "3");
        assertThat(got).extracting(ServerSentEvent::data).containsExactly("{\"a\":1}", "{\"a\":2}", "[DONE]");
        assertThat(streamLog.range(id, 1, 100).collectList().block(TIMEOUT))
                .as("logged before the client's stream completes")
                .containsExactly(
                        LoggedEvent.data(1, "{\"a\":1}"),
                        LoggedEvent.data(2, "{\"a\":2}"),
                        LoggedEvent.data(3, "[DONE]"),
                        LoggedEvent.end(4));
        assertThat(relay.isLive(id)).isFalse();
    }

    @Test
    void aStreamEndingWithoutDone_endsWithTheInterruptedErrorAndDone() {
        newRelay(Map.of());
        List<String> data = relay.start(StreamRelay.newStreamId(), Flux.just("{\"a\":1}"))
                .mapNotNull(ServerSentEvent::data)
                .collectList()
                .block(TIMEOUT);

        assertThat(data).hasSize(3);
        assertThat(data.get(1)).contains("\"code\":\"" + SseSupport.INTERRUPTED + "\"");
        assertThat(data.get(2)).isEqualTo("[DONE]");
    }

    @Test
    void admit_refusesOnceTheInstanceRelaysItsMaximum() {
        newRelay(Map.of("xcomposer.gateway.limits.max-concurrent-streams", "1"));
        relay.admit().block(TIMEOUT);
        relay.start(StreamRelay.newStreamId(), Flux.never()).subscribe();

        assertThatThrownBy(() -> relay.admit().block(TIMEOUT))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("maximum number of streams");
    }

    @Test
    void aClientThatLeft_andNobodyResumes_cancelsTheDownstreamAfterTheGrace_andEndsTheLog() throws Exception {
        newRelay(Map.of("xcomposer.gateway.streams.detached-grace", "200ms"));
        String id = StreamRelay.newStreamId();
        AtomicBoolean cancelled = new AtomicBoolean();
        Flux<String> downstream =
                Flux.concat(Flux.just("{\"a\":1}"), Flux.<String>never()).doOnCancel(() -> cancelled.set(true));

        relay.start(id, downstream).take(1).blockLast(TIMEOUT); // the client reads one event and leaves
        assertThat(cancelled).as("kept running for a resume").isFalse();
        assertThat(relay.isLive(id)).isTrue();

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (relay.isLive(id) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cancelled).as("cancelled after the grace").isTrue();
        List<LoggedEvent> log = awaitEnd(id, deadline);
        assertThat(log.get(1).data()).contains("stream_cancelled");
        assertThat(log.get(2).data()).isEqualTo("[DONE]");
        assertThat(log.get(3).end()).isTrue();
    }

    private List<LoggedEvent> awaitEnd(String id, long deadline) throws InterruptedException {
        List<LoggedEvent> log = List.of();
        while (System.nanoTime() < deadline) {
            log = streamLog.range(id, 1, 100).collectList().block(TIMEOUT);
            if (!log.isEmpty() && log.getLast().end()) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(log).hasSize(4);
        return log;
    }

    private void newRelay(Map<String, String> settings) {
        GatewayProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate(GatewayProperties.PREFIX, GatewayProperties.class);
        streamLog = new StreamLog(redis, properties);
        relay = new StreamRelay(streamLog, properties, new SimpleMeterRegistry());
    }
}
