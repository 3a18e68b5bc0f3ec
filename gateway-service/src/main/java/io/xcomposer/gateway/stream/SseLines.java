package io.xcomposer.gateway.stream;

/**
 * Line ends and field names of a raw {@code text/event-stream} body, shared by the gateway's byte-level SSE readers
 * ({@link SseDataLines}, {@link SseEventFrames}). A line ends with {@code \n}, {@code \r\n} or {@code \r} (SSE
 * spec); a {@code \r} that ends a chunk leaves open whether the next chunk starts with the {@code \n} of the same
 * line end.
 */
final class SseLines {

    private SseLines() {}

    /** At the {@code \r} or {@code \n} at {@code i}: the index of the line end's last byte ({@code i + 1} for CRLF). */
    static int lastOfLineEnd(byte[] bytes, int i, int length) {
        return bytes[i] == '\r' && i + 1 < length && bytes[i + 1] == '\n' ? i + 1 : i;
    }

    /**
     * Whether the line end at {@code i} is a {@code \r} ending the chunk: a leading {@code \n} of the next chunk is
     * part of it.
     */
    static boolean openAtChunkEnd(byte[] bytes, int i, int length) {
        return bytes[i] == '\r' && i + 1 == length;
    }

    /** Whether the line {@code bytes[from, to)} starts with {@code prefix}. */
    static boolean startsWith(byte[] bytes, int from, int to, byte[] prefix) {
        if (to - from < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (bytes[from + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }
}
