package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one benchmark file against an OpenAI-compatible server and writes {@code results.jsonl} (one line per
 * finished request; a rerun with the same {@code --out} continues) and the reports. See docs/evaluation.md.
 */
public final class BenchmarkCli {

    private BenchmarkCli() {}

    public static void main(String[] args) throws Exception {
        try {
            run(BenchmarkOptions.parse(List.of(args), System.getenv()), System.out, System.err);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }

    public static BenchmarkReport run(BenchmarkOptions options, PrintStream out, PrintStream console)
            throws IOException, InterruptedException {
        List<BenchmarkItem> items = BenchmarkFiles.read(options.kind(), options.data(), options.images());
        if (options.limit() > 0 && items.size() > options.limit()) {
            items = items.subList(0, options.limit());
        }
        List<BenchmarkQuery> queries = queries(options, items);
        java.nio.file.Files.createDirectories(options.out());
        ChatEndpoint endpoint = new ChatEndpoint(
                options.baseUrl(), options.apiKey(), options.model(), options.maxTokens(), options.timeout());
        BenchmarkRunner runner = new BenchmarkRunner(endpoint, options.style(), options.concurrency(), console);
        List<ItemResult> results =
                runner.run(options.kind(), queries, options.out().resolve("results.jsonl"), options.name());
        BenchmarkReport report = new BenchmarkReport(
                options.name(),
                options.data().getFileName().toString(),
                ChatEndpoint.chatUrl(options.baseUrl()),
                options.model(),
                options.style().name().toLowerCase(java.util.Locale.ROOT),
                items.size(),
                Score.of(options.kind(), results));
        report.write(options.out());
        out.print(report.markdown());
        return report;
    }

    /** MMBench items are asked once per rotation unless the file already holds the rotations. */
    static List<BenchmarkQuery> queries(BenchmarkOptions options, List<BenchmarkItem> items) {
        List<BenchmarkQuery> queries = new ArrayList<>();
        for (BenchmarkItem item : items) {
            BenchmarkItem asked =
                    item.system() == null && options.system() != null ? withSystem(item, options.system()) : item;
            if (options.kind() == BenchmarkKind.MMBENCH && options.circular() && !item.rotated()) {
                queries.addAll(BenchmarkQuery.rotations(asked));
            } else {
                queries.add(BenchmarkQuery.plain(asked));
            }
        }
        return queries;
    }

    private static BenchmarkItem withSystem(BenchmarkItem item, String system) {
        return new BenchmarkItem(
                item.id(),
                item.group(),
                item.category(),
                item.l2Category(),
                item.question(),
                item.hint(),
                item.options(),
                item.answer(),
                item.imageUrls(),
                system,
                item.match(),
                item.rotated());
    }
}
