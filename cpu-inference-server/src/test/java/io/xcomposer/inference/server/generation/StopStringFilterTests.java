package io.xcomposer.inference.server.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringFilterTests {

    @Test
    void accept_passesTextThatCannotStartAStopString() {
        StopStringFilter filter = new StopStringFilter(List.of("<eoa>"));

        assertThat(filter.accept("hello")).isEqualTo("hello");
        assertThat(filter.stopped()).isFalse();
    }

    @Test
    void accept_holdsBackAPossibleStopPrefixUntilDecided() {
        StopStringFilter filter = new StopStringFilter(List.of("<eoa>"));

        assertThat(filter.accept("hi <e")).isEqualTo("hi ");
        assertThat(filter.accept("x")).isEqualTo("<ex");
        assertThat(filter.stopped()).isFalse();
    }

    @Test
    void accept_neverEmitsTheStopTextAndStops() {
        StopStringFilter filter = new StopStringFilter(List.of("<eoa>", "</s>"));

        assertThat(filter.accept("answer<e")).isEqualTo("answer");
        assertThat(filter.accept("oa>more")).isEmpty();
        assertThat(filter.stopped()).isTrue();
        assertThat(filter.accept("later")).isEmpty();
    }

    @Test
    void accept_earliestStopStringWins() {
        StopStringFilter filter = new StopStringFilter(List.of("at", "cat"));

        assertThat(filter.accept("a cat")).isEqualTo("a ");
    }

    @Test
    void flush_releasesHeldTextWhenGenerationEndsOtherwise() {
        StopStringFilter filter = new StopStringFilter(List.of("</s>"));

        assertThat(filter.accept("end </")).isEqualTo("end ");
        assertThat(filter.flush()).isEqualTo("</");
    }
}
