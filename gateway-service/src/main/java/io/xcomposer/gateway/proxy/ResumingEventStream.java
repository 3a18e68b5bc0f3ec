package io.xcomposer.gateway.proxy;

import io.xcomposer.gateway.downstream.Downstream;
import io.xcomposer.gateway.downstream.DownstreamStatusException;
import io.xcomposer.gateway.stream.SseEventFrames;
import io.xcomposer.gateway.stream.SseSupport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Relays one client's composition event stream ({@code GET /v1/compositions/{id}/events}) across the death of the
 * replica serving it. Composition keeps every event in its journal and another replica resumes or ends an orphaned
 * job within a few seconds (its lease), so when the stream breaks off, stalls past {@code http.idle-timeout} or ends
 * without a finishing event ({@code done}, {@code error}, {@code edit_done}), the gateway reconnects to the same
 * base URL (in a cluster a Service that balances to a live replica) with {@code Last-Event-ID} = the last event it
 * relayed, backing off 100 ms to 1 s (or the {@code Retry-After} of a 503), and goes on relaying; only when no reconnect succeeds within
 * {@code http.stream-resume-window} does the client get the {@code error} event ({@code upstream_stream_interrupted}).
 * {@link SseEventFrames} hands on only whole events, so the client never sees half an event nor an id twice.
 */
final class ResumingEventStream {

    private static final Logger log = LoggerFactory.getLogger(ResumingEventStream.class);
    private static final Pattern EVENTS = Pattern.compile("/v1/compositions/[^/]+/events");
    private static final ParameterizedTypeReference<DataBuffer> BYTES = new ParameterizedTypeReference<>() {};
    /** Composition events are small JSON (no images); this only bounds what a broken downstream can make us hold. */
    private static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    /** Attempts per break; the window ends them sooner (100 ms doubling to 1 s: 20 attempts take at least 17 s). */
    private static final int ATTEMPTS_PER_BREAK = 20;
    /** Breaks per client stream; each needs a reconnect that delivered an event, so this is never reached in practice. */
    private static final int MAX_BREAKS = 50;

    private final Downstream downstream;
    private final String target;
    private final Consumer<HttpHeaders> headers;
    private final SseEventFrames frames;
    private final long windowNanos;
    private int breaks;
    private int breaksInWindow;
    private long windowStart;
    private long relayedAtWindowStart = -1;

    private ResumingEventStream(
            Downstream downstream, String target, Consumer<HttpHeaders> headers, HttpHeaders clientHeaders) {
        this.downstream = downstream;
        this.target = target;
        this.headers = headers;
        this.frames = new SseEventFrames(clientHeaders.getFirst("Last-Event-ID"), MAX_EVENT_BYTES);
        this.windowNanos = downstream.http().streamResumeWindow().toNanos();
    }

    /** Whether a request is for the one resumable pass-through stream. */
    static boolean applies(HttpMethod method, String rawPath) {
        return method == HttpMethod.GET && EVENTS.matcher(rawPath).matches();
    }

    /**
     * The client's body: {@code first} (the body of the answer the client already got the headers of) and, after a
     * break, those of the reconnects. {@code headers} builds a request like the client's; the reconnects add
     * {@code Last-Event-ID}.
     */
    static Flux<DataBuffer> relay(
            Downstream downstream,
            String target,
            Consumer<HttpHeaders> headers,
            HttpHeaders clientHeaders,
            Flux<DataBuffer> first) {
        return Flux.defer(() -> new ResumingEventStream(downstream, target, headers, clientHeaders).follow(first));
    }

    private Flux<DataBuffer> follow(Flux<DataBuffer> body) {
        return body.timeout(downstream.http().idleTimeout())
                .map(frames::next)
                .filter(bytes -> bytes.length > 0)
                .<DataBuffer>map(DefaultDataBufferFactory.sharedInstance::wrap)
                .concatWith(Mono.defer(() -> frames.finished()
                        ? Mono.empty()
                        : Mono.error(new SseSupport.EndedEarly("a done, error or edit_done event"))))
                .onErrorResume(error -> frames.finished() ? Flux.empty() : resume(error));
    }

    private Flux<DataBuffer> resume(Throwable broke) {
        long now = System.nanoTime();
        if (frames.relayed() != relayedAtWindowStart) { // progress since the last break: a fresh window
            windowStart = now;
            relayedAtWindowStart = frames.relayed();
            breaksInWindow = 0;
        }
        long left = windowStart + windowNanos - now;
        if (broke instanceof DataBufferLimitException || left <= 0 || ++breaks > MAX_BREAKS) {
            return giveUp(broke);
        }
        frames.restart();
        log.info(
                "The {} event stream broke off after event {} ({}); reconnecting with Last-Event-ID",
                downstream.name(),
                frames.lastId(),
                broke.toString());
        // The first reconnect goes at once (another replica replays from the journal); a replica that answers and
        // dies again without delivering an event (crash-looping) is not hammered: the back-off goes on across breaks.
        Duration wait = breaksInWindow++ == 0 ? Duration.ZERO : pause(broke, breaksInWindow - 2);
        return Mono.delay(wait)
                .then(Mono.defer(this::reconnect)
                        .retryWhen(Retry.from(failures -> failures.concatMap(failure ->
                                worthRetrying(failure.failure()) && failure.totalRetries() < ATTEMPTS_PER_BREAK
                                        ? Mono.delay(pause(failure.failure(), failure.totalRetries()))
                                        : Mono.error(failure.failure())))))
                .timeout(Duration.ofNanos(left))
                .doOnNext(body -> log.info(
                        "The {} event stream resumed after event {}, {} ms after the break",
                        downstream.name(),
                        frames.lastId(),
                        Duration.ofNanos(System.nanoTime() - now).toMillis()))
                .map(this::follow)
                .onErrorResume(failed -> {
                    log.info("Could not resume the {} event stream: {}", downstream.name(), failed.toString());
                    return Mono.just(giveUp(broke));
                })
                .flatMapMany(rest -> rest);
    }

    private Mono<Flux<DataBuffer>> reconnect() {
        String lastId = frames.lastId();
        Consumer<HttpHeaders> resumeHeaders =
                lastId == null ? headers : headers.andThen(out -> out.set("Last-Event-ID", lastId));
        return downstream
                .exchange(HttpMethod.GET, target, resumeHeaders, new byte[0], BYTES)
                .flatMap(ResumingEventStream::eventStream);
    }

    private static Mono<Flux<DataBuffer>> eventStream(ResponseEntity<Flux<DataBuffer>> entity) {
        MediaType type = entity.getHeaders().getContentType();
        if (type == null || !MediaType.TEXT_EVENT_STREAM.isCompatibleWith(type) || entity.getBody() == null) {
            // Read the unwanted body off (and release it) so its pooled connection is freed, then give up.
            Flux<DataBuffer> unwanted = entity.getBody() == null ? Flux.empty() : entity.getBody();
            return unwanted.doOnNext(DataBufferUtils::release)
                    .then(Mono.error(new NotAnEventStream(String.valueOf(type))));
        }
        return Mono.just(entity.getBody());
    }

    /**
     * A refused or lost connection, a timeout, an open breaker or a 5xx (503 while Redis is away included) may pass
     * once another replica serves; a 4xx (the composition is gone) or an answer that is no event stream will not.
     */
    private static boolean worthRetrying(Throwable error) {
        if (error instanceof NotAnEventStream) {
            return false;
        }
        return !(error instanceof DownstreamStatusException status)
                || status.status().is5xxServerError()
                || status.status().value() == HttpStatus.TOO_MANY_REQUESTS.value();
    }

    /**
     * 100 ms doubling to 1 s, but never sooner than a load-shedding answer's {@code Retry-After} (seconds): retrying
     * sooner only adds load to a replica that said when it can serve. The window still ends the waiting.
     */
    private static Duration pause(Throwable failure, long retries) {
        Duration backoff = FIRST_BACKOFF.multipliedBy(1L << Math.min(retries, 10));
        backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        if (failure instanceof DownstreamStatusException status) {
            String retryAfter = status.headers().getFirst(HttpHeaders.RETRY_AFTER);
            if (retryAfter != null && retryAfter.matches("\\d{1,6}")) {
                Duration after = Duration.ofSeconds(Long.parseLong(retryAfter));
                return after.compareTo(backoff) > 0 ? after : backoff;
            }
        }
        return backoff;
    }

    /** Every byte relayed so far ends a whole event, so the error event needs no blank line before it. */
    private Flux<DataBuffer> giveUp(Throwable broke) {
        return Flux.defer(() -> {
            String event = "event: error\ndata: " + SseSupport.interruptedError(downstream.name(), broke) + "\n\n";
            return Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(event.getBytes(StandardCharsets.UTF_8)));
        });
    }

    private static final class NotAnEventStream extends RuntimeException {

        NotAnEventStream(String type) {
            super("the reconnect answered " + type + ", not an event stream");
        }
    }
}
