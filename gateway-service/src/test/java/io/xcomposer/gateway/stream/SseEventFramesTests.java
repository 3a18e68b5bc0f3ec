package io.xcomposer.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/** Whole events only, bytes unchanged, however the body is cut into chunks and whichever line ends it uses. */
class SseEventFramesTests {

    private static final String LF =
            "id: 1\nevent: text_delta\ndata: {\"t\":\"a\"}\n\n: keep-alive\n\n" + "id: 2\nevent: done\ndata: {}\n\n";

    @Test
    void everySplitOfTheBody_relaysTheSameBytes_andRemembersTheLastIdAndTheEnd() {
        for (String body : new String[] {LF, LF.replace("\n", "\r\n"), LF.replace("\n", "\r")}) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            for (int cut = 0; cut <= bytes.length; cut++) {
                SseEventFrames frames = new SseEventFrames(null, 1024);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.writeBytes(frames.next(wrap(Arrays.copyOfRange(bytes, 0, cut))));
                out.writeBytes(frames.next(wrap(Arrays.copyOfRange(bytes, cut, bytes.length))));
                assertThat(out.toString(StandardCharsets.UTF_8))
                        .as("cut at %d of %s", cut, body)
                        .isEqualTo(body);
                assertThat(frames.lastId()).isEqualTo("2");
                assertThat(frames.finished()).isTrue();
                assertThat(frames.relayed()).isEqualTo(2);
            }
        }
    }

    @Test
    void anEventCutOff_isHeldBack_andForgottenOnRestart() {
        SseEventFrames frames = new SseEventFrames(null, 1024);
        byte[] first = frames.next(wrap("id: 1\ndata: a\n\nid: 2\ndata: b".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("id: 1\ndata: a\n\n");
        assertThat(frames.lastId()).isEqualTo("1");
        assertThat(frames.finished()).isFalse();

        frames.restart();
        byte[] resumed = frames.next(wrap("id: 2\ndata: b\n\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(resumed, StandardCharsets.UTF_8)).isEqualTo("id: 2\ndata: b\n\n");
    }

    @Test
    void replayedIds_areDropped_otherIdsAndCommentsGoOn() {
        SseEventFrames frames = new SseEventFrames("2", 1024);
        byte[] out = frames.next(
                wrap(("id: 1\ndata: a\n\nid: 2\ndata: b\n\n:ping\n\nid: 3\ndata: c\n\n" + "idx: 9\ndata: d\n\n")
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(":ping\n\nid: 3\ndata: c\n\nidx: 9\ndata: d\n\n");
        assertThat(frames.lastId()).isEqualTo("3");
    }

    @Test
    void anEventOverTheLimit_fails() {
        SseEventFrames frames = new SseEventFrames(null, 16);
        frames.next(wrap("data: 0123456789".getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> frames.next(wrap("abcdef".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(DataBufferLimitException.class);
    }

    private static org.springframework.core.io.buffer.DataBuffer wrap(byte[] bytes) {
        return DefaultDataBufferFactory.sharedInstance.wrap(bytes);
    }
}
