package io.xcomposer.evaluation.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The command line of {@link BenchmarkCli}, {@code --name value} pairs and the flag {@code --no-circular}.
 *
 * @param name the benchmark as given (mmbench, mmbench-cn, ccbench, mme, seed, slices): the report's title
 * @param limit only the first this many items (0: all)
 * @param system a system message added to every item that has none of its own
 */
public record BenchmarkOptions(
        String name,
        BenchmarkKind kind,
        Path data,
        @Nullable Path images,
        String baseUrl,
        String apiKey,
        String model,
        Path out,
        int concurrency,
        int maxTokens,
        Duration timeout,
        PromptStyle style,
        @Nullable String system,
        int limit,
        boolean circular) {

    static final String USAGE = """
            usage: BenchmarkCli --benchmark mmbench|mmbench-cn|ccbench|mme|seed|slices --data FILE
                                --base-url URL --model NAME [--api-key KEY (default: $OPENAI_API_KEY)]
                                [--images DIR] [--out DIR] [--concurrency 4] [--max-tokens 32]
                                [--timeout-seconds 120] [--prompt-style xcomposer|vlmevalkit|tiny]
                                [--system TEXT] [--limit N] [--no-circular]
            """;

    private static final Set<String> VALUED = Set.of(
            "benchmark",
            "data",
            "images",
            "base-url",
            "api-key",
            "model",
            "out",
            "concurrency",
            "max-tokens",
            "timeout-seconds",
            "prompt-style",
            "system",
            "limit");

    public static BenchmarkOptions parse(List<String> args, Map<String, String> env) {
        Map<String, String> values = new HashMap<>();
        boolean circular = true;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--no-circular")) {
                circular = false;
                continue;
            }
            String name = arg.startsWith("--") ? arg.substring(2) : "";
            if (!VALUED.contains(name) || i + 1 >= args.size()) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + USAGE);
            }
            values.put(name, args.get(++i));
        }
        String benchmark = need(values, "benchmark");
        String apiKey = values.getOrDefault("api-key", env.getOrDefault("OPENAI_API_KEY", ""));
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("no API key: pass --api-key or set OPENAI_API_KEY\n" + USAGE);
        }
        return new BenchmarkOptions(
                benchmark,
                BenchmarkKind.parse(benchmark),
                Path.of(need(values, "data")),
                values.containsKey("images") ? Path.of(values.get("images")) : null,
                need(values, "base-url"),
                apiKey,
                need(values, "model"),
                Path.of(values.getOrDefault("out", "benchmark-results/" + benchmark)),
                Integer.parseInt(values.getOrDefault("concurrency", "4")),
                Integer.parseInt(values.getOrDefault("max-tokens", "32")),
                Duration.ofSeconds(Long.parseLong(values.getOrDefault("timeout-seconds", "120"))),
                PromptStyle.parse(values.getOrDefault("prompt-style", "xcomposer")),
                values.get("system"),
                Integer.parseInt(values.getOrDefault("limit", "0")),
                circular);
    }

    private static String need(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("missing --" + name + "\n" + USAGE);
        }
        return value;
    }
}
