package io.xcomposer.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** One relayed stream: numbering, what the client gets, keep-alive timing, and the cancel of an abandoned stream. */
class LiveStreamTests {

    private final List<LoggedEvent> logged = new ArrayList<>();

    @Test
    void events_areNumberedInOrder_andReachTheClientAsEmitted() {
        LiveStream stream = newStream();
        LoggedEvent first = stream.next("a");
        LoggedEvent second = stream.next("b");
        stream.emit(SseSupport.event(first));
        stream.emit(SseSupport.event(second));
        stream.complete();

        List<ServerSentEvent<String>> got = stream.toClient().collectList().block(Duration.ofSeconds(5));
        assertThat(got).extracting(ServerSentEvent::id).containsExactly("1", "2");
        assertThat(got).extracting(ServerSentEvent::data).containsExactly("a", "b");
        assertThat(stream.end()).isEqualTo(LoggedEvent.end(3));
    }

    @Test
    void quietFor_countsFromTheLastEmit() {
        LiveStream stream = newStream();
        long keepAlive = Duration.ofSeconds(15).toNanos();
        stream.emit(ServerSentEvent.<String>builder().comment("ping").build());
        long now = System.nanoTime();
        assertThat(stream.quietFor(now, keepAlive)).isFalse();
        assertThat(stream.quietFor(now + keepAlive, keepAlive)).isTrue();
    }

    @Test
    void cancelIfAbandoned_leavesAStreamWithAReader_cancelsOneWithout_andEndsItsLog() {
        LiveStream stream = newStream();
        Disposable upstream = Flux.never().subscribe();
        stream.relayFrom(upstream);
        stream.next("a");

        stream.readerAttached();
        assertThat(stream.cancelIfAbandoned()).isFalse();
        assertThat(upstream.isDisposed()).isFalse();

        assertThat(stream.readerLeft()).isTrue();
        assertThat(stream.cancelIfAbandoned()).isTrue();
        assertThat(upstream.isDisposed()).isTrue();
        assertThat(logged).extracting(LoggedEvent::seq).containsExactly(2L, 3L, 4L);
        assertThat(logged.get(0).data()).contains("\"code\":\"stream_cancelled\"");
        assertThat(logged.get(1).data()).isEqualTo("[DONE]");
        assertThat(logged.get(2).end()).isTrue();

        assertThat(stream.cancelIfAbandoned()).as("once only").isFalse();
    }

    private LiveStream newStream() {
        return new LiveStream("strm_test", new StreamLogBatch(Duration.ofMillis(100), true, events -> {
            logged.addAll(events);
            return Mono.empty();
        }));
    }
}
