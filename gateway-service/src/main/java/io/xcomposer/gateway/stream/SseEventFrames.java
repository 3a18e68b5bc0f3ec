package io.xcomposer.gateway.stream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;

/**
 * Cuts a raw {@code text/event-stream} body into whole events, as bytes, for a relay that may have to switch to a
 * new connection mid-stream: it hands on only complete events (up to and including their blank line), so a
 * connection that breaks inside an event leaves no half event at the client, and it remembers the {@code id:} of
 * the last event it handed on, for {@code Last-Event-ID}. Nothing else is parsed: per line only whether it is blank,
 * {@code id:} or {@code event:}; the bytes go on unchanged. Line ends {@code \n}, {@code \r\n}, {@code \r} (SSE
 * spec). One instance per client stream, used by one subscriber at a time (not thread-safe).
 */
public final class SseEventFrames {

    /** The events that end a composition run or an edit; the composition follower ends its stream after them. */
    public static final Set<String> FINISHING = Set.of("done", "error", "edit_done");

    private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event".getBytes(StandardCharsets.US_ASCII);

    private final int maxEventBytes;
    private byte[] carry = new byte[0];
    private int carryLength;
    private int lineStart; // in carry: where the current, unfinished line starts
    private boolean skipLf; // the previous chunk ended with \r: a leading \n belongs to that line end
    private @Nullable String eventId; // fields of the event under way
    private @Nullable String eventName;

    private @Nullable String lastId;
    private boolean finished;
    private long relayed;

    /**
     * @param lastId the id the client resumed after (its own {@code Last-Event-ID}), or null
     * @param maxEventBytes the largest event held back while incomplete
     */
    public SseEventFrames(@Nullable String lastId, int maxEventBytes) {
        this.lastId = lastId;
        this.maxEventBytes = maxEventBytes;
    }

    /**
     * The whole events that {@code buffer} completes, in one array (empty when it completes none); the buffer is
     * released. An event whose numeric id is not above the last relayed one is dropped: a replay the new
     * connection sent although it was asked for what comes after.
     */
    public byte[] next(DataBuffer buffer) {
        byte[] bytes;
        int length;
        int from;
        try {
            int readable = buffer.readableByteCount();
            if (carryLength + readable > maxEventBytes && carryLength > 0) {
                throw new DataBufferLimitException("SSE event over " + maxEventBytes + " bytes");
            }
            bytes = carryLength == 0 ? new byte[readable] : Arrays.copyOf(carry, carryLength + readable);
            buffer.read(bytes, carryLength, readable);
            from = carryLength;
            length = carryLength + readable;
        } finally {
            DataBufferUtils.release(buffer);
        }
        int eventStart = 0;
        int out = 0; // bytes[0, out) is what goes on; complete events are moved down over dropped ones
        int i = from;
        if (skipLf && i < length && bytes[i] == '\n') {
            lineStart = ++i;
            if (from == 0) { // the \r ended an event already handed on: this \n goes on with it
                eventStart = out = 1;
            }
        }
        skipLf = false;
        for (; i < length; i++) {
            byte b = bytes[i];
            if (b != '\n' && b != '\r') {
                continue;
            }
            boolean blank = lineStart == i;
            if (!blank) {
                field(bytes, lineStart, i);
            }
            skipLf = SseLines.openAtChunkEnd(bytes, i, length);
            i = SseLines.lastOfLineEnd(bytes, i, length);
            lineStart = i + 1;
            if (blank) {
                if (keep()) {
                    if (out != eventStart) {
                        System.arraycopy(bytes, eventStart, bytes, out, lineStart - eventStart);
                    }
                    out += lineStart - eventStart;
                }
                eventStart = lineStart;
                eventId = null;
                eventName = null;
            }
        }
        carryLength = length - eventStart;
        if (carryLength > 0) {
            if (carry.length < carryLength) {
                carry = new byte[Math.max(carryLength, 256)];
            }
            System.arraycopy(bytes, eventStart, carry, 0, carryLength);
        }
        lineStart -= eventStart;
        return out == length ? bytes : Arrays.copyOf(bytes, out);
    }

    /** A new connection: the event under way on the old one will never be completed, forget it. */
    public void restart() {
        carryLength = 0;
        lineStart = 0;
        skipLf = false;
        eventId = null;
        eventName = null;
    }

    /** The id of the last event handed on (or the client's own {@code Last-Event-ID}); null when none. */
    public @Nullable String lastId() {
        return lastId;
    }

    /** Whether the last event with an id that was handed on is a {@link #FINISHING} one. */
    public boolean finished() {
        return finished;
    }

    /** How many events with an id were handed on. */
    public long relayed() {
        return relayed;
    }

    /** Decides about the event that just ended; events without an id (keep-alive comments) always go on. */
    private boolean keep() {
        if (eventId == null) {
            return true;
        }
        if (isReplay(eventId)) {
            return false;
        }
        lastId = eventId;
        finished = eventName != null && FINISHING.contains(eventName);
        relayed++;
        return true;
    }

    private boolean isReplay(String id) {
        if (lastId == null) {
            return false;
        }
        try {
            return Long.parseLong(id) <= Long.parseLong(lastId);
        } catch (NumberFormatException notNumeric) {
            return false; // ids the gateway cannot order are never dropped
        }
    }

    private void field(byte[] bytes, int from, int to) {
        if (SseLines.startsWith(bytes, from, to, ID)) {
            String value = value(bytes, from + ID.length, to);
            if (value != null && value.indexOf('\0') < 0) {
                eventId = value;
            }
        } else if (SseLines.startsWith(bytes, from, to, EVENT)) {
            String value = value(bytes, from + EVENT.length, to);
            if (value != null) {
                eventName = value;
            }
        }
    }

    /** The field's value after {@code name}: null when the line is another field that merely starts with it. */
    private static @Nullable String value(byte[] bytes, int at, int to) {
        if (at == to) {
            return "";
        }
        if (bytes[at] != ':') {
            return null;
        }
        at++;
        if (at < to && bytes[at] == ' ') {
            at++;
        }
        return new String(bytes, at, to - at, StandardCharsets.UTF_8);
    }
}
