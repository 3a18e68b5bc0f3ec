package io.xcomposer.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import reactor.core.publisher.Flux;

/**
 * The {@code data} of each event of a raw {@code text/event-stream} body, straight from the bytes: one {@code String}
 * per event and nothing else (no per-line strings, no {@code ServerSentEvent} objects, no JSON). Comments and
 * {@code id:}/{@code event:}/{@code retry:} fields are skipped, events without data are dropped, several data lines
 * are joined with {@code \n}, {@code \n}, {@code \r\n} and {@code \r} end lines (as in the SSE spec).
 */
public final class SseDataLines {

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);

    private final int maxEventBytes;
    private byte[] carry = new byte[0];
    private int carryLength;
    private boolean skipLf; // the previous chunk ended with \r: a leading \n belongs to that line end
    private final StringBuilder multi = new StringBuilder();
    private boolean hasData;
    private String single = "";
    private boolean multiUsed;

    private SseDataLines(int maxEventBytes) {
        this.maxEventBytes = maxEventBytes;
    }

    /** The data of each complete event of {@code body}, in order; a trailing event without its blank line is dropped. */
    public static Flux<String> of(Flux<DataBuffer> body, int maxEventBytes) {
        return Flux.defer(() -> {
            SseDataLines lines = reader(maxEventBytes);
            return body.concatMapIterable(lines::next);
        });
    }

    /** A reader for one body: {@link #next} takes its buffers in order. */
    static SseDataLines reader(int maxEventBytes) {
        return new SseDataLines(maxEventBytes);
    }

    List<String> next(DataBuffer buffer) {
        byte[] bytes;
        int length;
        try {
            length = buffer.readableByteCount();
            if (carryLength == 0) {
                bytes = new byte[length];
                buffer.read(bytes);
            } else {
                if (carryLength + length > maxEventBytes) {
                    throw new DataBufferLimitException("SSE event over " + maxEventBytes + " bytes");
                }
                bytes = Arrays.copyOf(carry, carryLength + length);
                buffer.read(bytes, carryLength, length);
                length += carryLength;
                carryLength = 0;
            }
        } finally {
            DataBufferUtils.release(buffer);
        }
        List<String> out = List.of();
        int lineStart = 0;
        int i = 0;
        if (skipLf && length > 0 && bytes[0] == '\n') {
            lineStart = i = 1;
        }
        skipLf = false;
        for (; i < length; i++) {
            byte b = bytes[i];
            if (b != '\n' && b != '\r') {
                continue;
            }
            String data = line(bytes, lineStart, i);
            if (data != null) {
                out = out.isEmpty() ? List.of(data) : append(out, data);
            }
            skipLf = SseLines.openAtChunkEnd(bytes, i, length);
            i = SseLines.lastOfLineEnd(bytes, i, length);
            lineStart = i + 1;
        }
        int rest = length - lineStart;
        if (rest > 0) {
            if (rest > maxEventBytes) {
                throw new DataBufferLimitException("SSE line over " + maxEventBytes + " bytes");
            }
            if (carry.length < rest) {
                carry = new byte[Math.max(rest, 256)];
            }
            System.arraycopy(bytes, lineStart, carry, 0, rest);
            carryLength = rest;
        }
        return out;
    }

    /** Handles one complete line; returns the event's data when the line is the blank line that ends an event. */
    private String line(byte[] bytes, int from, int to) {
        if (from == to) {
            if (!hasData) {
                return null;
            }
            String data = multiUsed ? multi.toString() : single;
            hasData = false;
            multiUsed = false;
            multi.setLength(0);
            single = "";
            return data;
        }
        if (!SseLines.startsWith(bytes, from, to, DATA)) {
            return null; // comment, id, event, retry, or a field we do not relay
        }
        int value = from + DATA.length;
        if (value < to && bytes[value] != ':') {
            return null; // a field merely starting with "data"
        }
        value++;
        if (value < to && bytes[value] == ' ') {
            value++;
        }
        if (value >= to) {
            return null; // an empty data line adds nothing (as Spring's SSE reader)
        }
        String text = new String(bytes, value, to - value, StandardCharsets.UTF_8);
        if (!hasData) {
            single = text;
            hasData = true;
        } else {
            if (!multiUsed) {
                multi.append(single);
                multiUsed = true;
            }
            multi.append('\n').append(text);
        }
        return null;
    }

    private static List<String> append(List<String> list, String data) {
        List<String> more = new ArrayList<>(list);
        more.add(data);
        return more;
    }
}
