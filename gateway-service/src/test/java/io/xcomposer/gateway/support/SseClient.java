package io.xcomposer.gateway.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blocking SSE client on the JDK's HttpClient that reads events one at a time, so a test can stop mid-stream and
 * close the connection like a real client whose network dropped.
 */
public final class SseClient {

    private static final Pattern CONTENT = Pattern.compile("\"content\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String base;
    private final String key;

    public SseClient(int port, String key) {
        this.base = "http://127.0.0.1:" + port;
        this.key = key;
    }

    public Response post(String path, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json");
        return send(request, headers);
    }

    public Response get(String path, Map<String, String> headers) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
    }

    private Response send(HttpRequest.Builder request, Map<String, String> headers) {
        request.header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(60));
        headers.forEach(request::header);
        try {
            return new Response(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The assistant text carried by a list of chat chunks. */
    public static String text(List<Event> events) {
        StringBuilder text = new StringBuilder();
        for (Event event : events) {
            Matcher matcher = CONTENT.matcher(event.data());
            while (matcher.find()) {
                text.append(matcher.group(1)
                        .replace("\\n", "\n")
                        .replace("\\\"", "\"")
                        .replace("\\\\", "\\"));
            }
        }
        return text.toString();
    }

    public record Event(String id, String event, String data) {}

    public static final class Response implements AutoCloseable {

        private final HttpResponse<InputStream> response;
        private final BufferedReader reader;

        Response(HttpResponse<InputStream> response) {
            this.response = response;
            this.reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        }

        public int status() {
            return response.statusCode();
        }

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        public String body() {
            try {
                return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads up to {@code count} data events (comments skipped). */
        public List<Event> read(int count) {
            List<Event> events = new ArrayList<>();
            try {
                String id = null;
                String name = null;
                StringBuilder data = null;
                String line;
                while (events.size() < count && (line = reader.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (data != null) {
                            events.add(new Event(id, name, data.toString()));
                        }
                        id = null;
                        name = null;
                        data = null;
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        String value = line.substring(5);
                        value = value.startsWith(" ") ? value.substring(1) : value;
                        data = data == null
                                ? new StringBuilder(value)
                                : data.append('\n').append(value);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return events;
        }

        public List<Event> readAll() {
            List<Event> events = read(Integer.MAX_VALUE);
            close();
            return events;
        }

        @Override
        public void close() {
            try {
                response.body().close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }
}
