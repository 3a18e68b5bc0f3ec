package io.xcomposer.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Plain HTTP calls to a service under fault, each timed and bounded: fault tests assert how fast a refusal comes,
 * so a call that hangs must fail the test (after {@code timeout}) rather than the test hang.
 */
public final class HttpProbe {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private HttpProbe() {}

    /** One answer and how long it took. */
    public record Answer(int status, String body, HttpHeaders headers, Duration took) {

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    public static Answer get(String url, Duration timeout) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET(), timeout);
    }

    /** A GET with request headers given as name, value, name, value... */
    public static Answer get(String url, Duration timeout, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().headers(headers), timeout);
    }

    public static Answer postJson(String url, String json, Duration timeout) {
        return send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)),
                timeout);
    }

    /**
     * Repeats {@code call} every 50 ms until {@code until} accepts its answer, for at most {@code within}; returns
     * that answer (its {@code took} is the time since the first try).
     */
    public static Answer await(Supplier<Answer> call, Predicate<Answer> until, Duration within) {
        long start = System.nanoTime();
        long deadline = start + within.toNanos();
        Answer last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = call.get();
                if (until.test(last)) {
                    return new Answer(
                            last.status(), last.body(), last.headers(), Duration.ofNanos(System.nanoTime() - start));
                }
            } catch (IllegalStateException notYet) {
                // timed out or refused: try again
            }
            sleep(50);
        }
        throw new AssertionError("no acceptable answer within " + within + "; last: "
                + (last == null ? "none" : last.status() + " " + last.body()));
    }

    private static Answer send(HttpRequest.Builder request, Duration timeout) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> response =
                    CLIENT.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(
                    response.statusCode(),
                    response.body(),
                    response.headers(),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new IllegalStateException(request.build().uri() + " gave no answer within " + timeout + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
