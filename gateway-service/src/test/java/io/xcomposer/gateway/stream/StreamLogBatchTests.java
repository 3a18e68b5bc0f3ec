package io.xcomposer.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * A stream's pending log events: written once per window, one batch in flight at a time and in order, the rest and
 * the closing events at close. The writer here records each batch and completes it when the test says so.
 */
class StreamLogBatchTests {

    private static final Duration WINDOW = Duration.ofMillis(100);

    private final List<List<Long>> written = new ArrayList<>();
    private final List<Sinks.Empty<Void>> inFlight = new ArrayList<>();

    @Test
    void flushIfDue_waitsForTheWindowOfTheOldestEvent() {
        StreamLogBatch batch = new StreamLogBatch(WINDOW, true, this::write);
        long start = System.nanoTime();
        batch.add(LoggedEvent.data(1, "a"));
        batch.add(LoggedEvent.data(2, "b"));

        batch.flushIfDue(start);
        assertThat(written).isEmpty();

        batch.flushIfDue(System.nanoTime() + WINDOW.toNanos());
        assertThat(written).containsExactly(List.of(1L, 2L));
    }

    @Test
    void aBatchInFlight_holdsTheNextBack_soTheLogStaysInOrder() {
        StreamLogBatch batch = new StreamLogBatch(WINDOW, true, this::write);
        batch.add(LoggedEvent.data(1, "a"));
        batch.flushIfDue(later());
        batch.add(LoggedEvent.data(2, "b"));
        batch.flushIfDue(later());
        assertThat(written).as("the second batch waits for the first").hasSize(1);

        inFlight.getFirst().tryEmitEmpty();
        batch.flushIfDue(later());
        assertThat(written).containsExactly(List.of(1L), List.of(2L));
    }

    @Test
    void close_writesTheRestAndTheLastEvents_andCompletesOnceWritten() {
        StreamLogBatch batch = new StreamLogBatch(WINDOW, true, this::write);
        batch.add(LoggedEvent.data(1, "a"));
        batch.flushIfDue(later());
        batch.add(LoggedEvent.data(2, "b"));

        Mono<Void> closed = batch.close(List.of(LoggedEvent.end(3)));
        boolean[] done = {false};
        closed.subscribe(null, null, () -> done[0] = true);
        assertThat(written).as("behind the batch in flight").hasSize(1);

        inFlight.get(0).tryEmitEmpty(); // the rest goes at once, not on the next tick
        assertThat(written).containsExactly(List.of(1L), List.of(2L, 3L));
        assertThat(done[0]).isFalse();

        inFlight.get(1).tryEmitEmpty();
        assertThat(done[0]).isTrue();
        assertThat(batch.close(List.of(LoggedEvent.end(9))).block(Duration.ofSeconds(1)))
                .as("a second close answers like the first and writes nothing")
                .isNull();
        assertThat(written).hasSize(2);
    }

    @Test
    void notResumable_closeWritesNothingAndCompletes() {
        StreamLogBatch batch = new StreamLogBatch(WINDOW, false, this::write);
        batch.add(LoggedEvent.data(1, "a"));
        batch.close(List.of(LoggedEvent.end(2))).block(Duration.ofSeconds(1));
        assertThat(written).isEmpty();
    }

    private Mono<Void> write(List<LoggedEvent> events) {
        written.add(events.stream().map(LoggedEvent::seq).toList());
        Sinks.Empty<Void> done = Sinks.empty();
        inFlight.add(done);
        return done.asMono();
    }

    private static long later() {
        return System.nanoTime() + WINDOW.toNanos();
    }
}
