package io.xcomposer.evaluation.benchmark;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends every query not yet in {@code results.jsonl} with at most {@code concurrency} requests in flight and
 * appends each result as soon as it is in, so an interrupted run continues where it stopped (a torn last line
 * is ignored and asked again).
 */
public final class BenchmarkRunner {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChatEndpoint endpoint;

    private final PromptStyle style;

    private final int concurrency;

    private final PrintStream console;

    public BenchmarkRunner(ChatEndpoint endpoint, PromptStyle style, int concurrency, PrintStream console) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
        this.endpoint = endpoint;
        this.style = style;
        this.concurrency = concurrency;
        this.console = console;
    }

    /** Results of all {@code queries} (earlier runs' included), in query order. */
    public List<ItemResult> run(BenchmarkKind kind, List<BenchmarkQuery> queries, Path resultsFile, String label)
            throws IOException, InterruptedException {
        Map<String, ItemResult> done = readResults(resultsFile);
        done.values().removeIf(ItemResult::failed); // failed requests are asked again
        endWithNewline(resultsFile);
        List<BenchmarkQuery> todo =
                queries.stream().filter(q -> !done.containsKey(q.key())).toList();
        Progress progress = new Progress(console, label, queries.size(), queries.size() - todo.size());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try (BufferedWriter out = Files.newBufferedWriter(
                resultsFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            List<Future<?>> futures = new ArrayList<>();
            for (BenchmarkQuery query : todo) {
                futures.add(pool.submit(() -> {
                    ItemResult result = ask(kind, query);
                    append(out, result);
                    synchronized (done) {
                        done.put(query.key(), result);
                    }
                    progress.advance();
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                try {
                    future.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("benchmark worker failed", e.getCause());
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        progress.finish();
        return queries.stream().map(q -> done.get(q.key())).toList();
    }

    private ItemResult ask(BenchmarkKind kind, BenchmarkQuery query) throws InterruptedException {
        try {
            String response =
                    endpoint.complete(query.item().system(), query.item().imageUrls(), style.text(kind, query));
            return ItemResult.scored(query, response);
        } catch (IOException e) {
            return ItemResult.failed(query, e.getMessage());
        }
    }

    private static void append(BufferedWriter out, ItemResult result) {
        String line = JSON.writeValueAsString(result);
        synchronized (out) {
            try {
                out.write(line);
                out.newLine();
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void endWithNewline(Path file) throws IOException {
        if (Files.exists(file) && Files.size(file) > 0) {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes[bytes.length - 1] != '\n') {
                Files.writeString(file, "\n", StandardOpenOption.APPEND);
            }
        }
    }

    /** The results already in the file, by key (a later line wins); lines that do not parse (a torn last write) are skipped. */
    public static Map<String, ItemResult> readResults(Path resultsFile) throws IOException {
        Map<String, ItemResult> done = new LinkedHashMap<>();
        if (!Files.exists(resultsFile)) {
            return done;
        }
        for (String line : Files.readAllLines(resultsFile, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                ItemResult result = JSON.readValue(line, ItemResult.class);
                done.put(result.key(), result);
            } catch (JacksonException e) {
                // torn write of an interrupted run: that query is asked again
            }
        }
        return done;
    }
}
