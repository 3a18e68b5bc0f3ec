package io.xcomposer.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import reactor.core.publisher.Flux;

/** The data of each whole event, however the body is cut into buffers and whichever line ends it uses. */
class SseDataLinesTests {

    private static final String BODY = ": comment before anything\n"
            + "id: 1\nevent: chunk\ndata: {\"a\":1}\n\n"
            + ":ping\n\n"
            + "data: first line\ndata:second line\ndata: third\n\n"
            + "retry: 500\nid: 3\n\n"
            + "data: 中文 ✓\n\n"
            + "data: [DONE]\n\n";
    private static final List<String> DATA = List.of("{\"a\":1}", "first line\nsecond line\nthird", "中文 ✓", "[DONE]");

    @Test
    void everyTwoWaySplit_givesTheSameEvents_forEachLineEnd() {
        for (String lineEnd : new String[] {"\n", "\r\n", "\r"}) {
            byte[] bytes = BODY.replace("\n", lineEnd).getBytes(StandardCharsets.UTF_8);
            for (int cut = 0; cut <= bytes.length; cut++) {
                SseDataLines lines = newLines(1024);
                List<String> out = new ArrayList<>(lines.next(wrap(Arrays.copyOfRange(bytes, 0, cut))));
                out.addAll(lines.next(wrap(Arrays.copyOfRange(bytes, cut, bytes.length))));
                assertThat(out)
                        .as(
                                "line end %s, cut at %d",
                                lineEnd.replace("\r", "CR").replace("\n", "LF"), cut)
                        .isEqualTo(DATA);
            }
        }
    }

    @Test
    void oneByteBuffers_giveTheSameEvents() {
        byte[] bytes = BODY.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
        SseDataLines lines = newLines(1024);
        List<String> out = new ArrayList<>();
        for (byte b : bytes) {
            out.addAll(lines.next(wrap(new byte[] {b})));
        }
        assertThat(out).isEqualTo(DATA);
    }

    @Test
    void aCrAtTheEndOfABuffer_andTheLfStartingTheNext_areOneLineEnd() {
        SseDataLines lines = newLines(1024);
        assertThat(lines.next(wrap("data: a\r".getBytes(StandardCharsets.UTF_8))))
                .isEmpty();
        // Were the LF a second line end, this would be the blank line ending the event now.
        assertThat(lines.next(wrap("\ndata: b\r\n".getBytes(StandardCharsets.UTF_8))))
                .isEmpty();
        assertThat(lines.next(wrap("\r\n".getBytes(StandardCharsets.UTF_8)))).containsExactly("a\nb");
    }

    @Test
    void commentsOtherFieldsEmptyDataAndLookalikes_addNoData() {
        SseDataLines lines = newLines(1024);
        String body = ": just a comment\n\n"
                + "event: ping\nid: 7\n\n"
                + "data:\n\n"
                + "database: not a data field\ndata2: neither\n\n"
                + "data:  two spaces keep one\n\n";
        assertThat(lines.next(wrap(body.getBytes(StandardCharsets.UTF_8)))).containsExactly(" two spaces keep one");
    }

    @Test
    void ofABody_dropsATrailingEventWithoutItsBlankLine() {
        Flux<DataBuffer> body = Flux.just("data: a\n", "\ndata: b\n\nda", "ta: cut off")
                .map(text -> wrap(text.getBytes(StandardCharsets.UTF_8)));
        assertThat(SseDataLines.of(body, 1024).collectList().block(Duration.ofSeconds(5)))
                .containsExactly("a", "b");
    }

    @Test
    void anEventOrLineOverTheLimit_fails() {
        SseDataLines carried = newLines(16);
        carried.next(wrap("data: 0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> carried.next(wrap("abcdefgh".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(DataBufferLimitException.class);

        SseDataLines single = newLines(16);
        assertThatThrownBy(() -> single.next(wrap("data: 0123456789abcdefgh".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(DataBufferLimitException.class);
    }

    private static SseDataLines newLines(int maxEventBytes) {
        return SseDataLines.reader(maxEventBytes);
    }

    private static DataBuffer wrap(byte[] bytes) {
        return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
    }
}
