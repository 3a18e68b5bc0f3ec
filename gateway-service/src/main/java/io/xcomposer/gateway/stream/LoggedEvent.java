package io.xcomposer.gateway.stream;

/**
 * One event of a stream's log. {@code seq} is the SSE {@code id:} a client sees and the Redis Stream entry id
 * {@code 0-seq}, so {@code Last-Event-ID: n} maps straight to "entries after 0-n".
 *
 * @param seq 1-based position in the stream
 * @param data the SSE data line (a chunk JSON, an error JSON or {@code [DONE]})
 * @param end the terminal marker (no data; written once the stream is finished)
 */
public record LoggedEvent(long seq, String data, boolean end) {

    public static LoggedEvent data(long seq, String data) {
        return new LoggedEvent(seq, data, false);
    }

    public static LoggedEvent end(long seq) {
        return new LoggedEvent(seq, "", true);
    }
}
