package io.xcomposer.common.sse;

import io.xcomposer.common.error.ErrorResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * The platform's SSE conventions, for every service and the gateway: OpenAI's {@code data: [DONE]} terminator, error
 * events whose data is the platform's error body (which OpenAI clients read as a stream error), and keep-alive
 * comments while a stream is quiet. Both as {@link ServerSentEvent}s (for WebFlux's encoder) and as raw frames (for
 * code that relays bytes).
 */
public final class ServerSentEvents {

    /** The data of OpenAI's last event of a stream. */
    public static final String DONE = "[DONE]";

    /** The comment of a keep-alive event: {@code : keep-alive}. */
    public static final String KEEP_ALIVE = "keep-alive";

    private ServerSentEvents() {}

    /** An event of only {@code data}. */
    public static ServerSentEvent<String> data(String data) {
        return ServerSentEvent.builder(data).build();
    }

    /** {@code data: [DONE]}. */
    public static ServerSentEvent<String> done() {
        return data(DONE);
    }

    /** An event whose data is {@code error} in the platform's shape, {@code {"error":{...}}}. */
    public static ServerSentEvent<String> error(ErrorResponse error, ObjectMapper json) {
        return data(errorData(error, json));
    }

    /** How a stream that already started ends on a failure: the error event, then {@code [DONE]}. */
    public static Flux<ServerSentEvent<String>> errorThenDone(ErrorResponse error, ObjectMapper json) {
        return Flux.just(error(error, json), done());
    }

    /** The data of an error event: {@code error} as JSON, on one line. */
    public static String errorData(ErrorResponse error, ObjectMapper json) {
        return json.writeValueAsString(error);
    }

    /** A comment event, which clients ignore: {@code : text}. */
    public static <T> ServerSentEvent<T> comment(String text) {
        return ServerSentEvent.<T>builder().comment(text).build();
    }

    /**
     * {@code events} with a {@code : keep-alive} comment every {@code every} while they are open, so load balancers
     * and proxies with 30-60 s idle timeouts keep the connection during a long prefill, a queue or a quiet step.
     */
    public static <T> Flux<ServerSentEvent<T>> withKeepAlive(Flux<ServerSentEvent<T>> events, Duration every) {
        return withKeepAlive(events, every, KEEP_ALIVE);
    }

    /**
     * {@code events} with a {@code : comment} event every {@code every} while they are open. The ticks stop with the
     * events (completion, error or cancellation); ticks nobody requested are dropped, because an interval without
     * backpressure fails on Reactor 3.8 ("Could not emit tick").
     */
    public static <T> Flux<ServerSentEvent<T>> withKeepAlive(
            Flux<ServerSentEvent<T>> events, Duration every, String comment) {
        return events.publish(shared -> Flux.merge(
                shared,
                Flux.interval(every, every)
                        .onBackpressureDrop()
                        .map(tick -> ServerSentEvents.<T>comment(comment))
                        .takeUntilOther(shared.then(Mono.just(Boolean.TRUE)))));
    }

    /** The raw frame of a data event, {@code data: …\n\n}; each line of a multi-line {@code data} is its own field. */
    public static byte[] dataFrame(String data) {
        StringBuilder frame = new StringBuilder(data.length() + 8);
        for (String line : data.split("\r\n|\r|\n", -1)) {
            frame.append("data: ").append(line).append('\n');
        }
        return frame.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The raw frame {@code data: [DONE]\n\n}. */
    public static byte[] doneFrame() {
        return dataFrame(DONE);
    }

    /** The raw frame of a comment event, {@code : text\n\n}. */
    public static byte[] commentFrame(String text) {
        return (": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
