package io.xcomposer.gateway;

import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.DownstreamDouble;
import io.xcomposer.gateway.support.StandaloneGateway;
import io.xcomposer.testsupport.RedisServerProcess;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Streaming overhead of the gateway (tag {@code benchmark}, excluded by default; README "Benchmark"). The
 * downstream is the loopback double emitting tokens at a fixed rate, so what differs between the direct and the
 * gateway runs is the gateway alone (auth + rate limit in Redis, relay, Redis Stream log per event, keep-alive).
 * Results: stdout and {@code target/benchmark.txt}.
 */
@Tag("benchmark")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingBenchmark {

    private static final int STREAMS = 256;
    private static final int TOKENS = 50;
    private static final Duration TOKEN_INTERVAL = Duration.ofMillis(20);

    private final RedisServerProcess redis = RedisServerProcess.shared();
    private final DownstreamDouble downstream = new DownstreamDouble();
    private final HttpClient http = HttpClient.create(ConnectionProvider.builder("bench")
            .maxConnections(4000)
            .pendingAcquireMaxCount(-1)
            .build());
    private ConfigurableApplicationContext gateway;
    private String gatewayUrl;
    private String key;

    @BeforeAll
    void start() {
        gateway = StandaloneGateway.start(
                "--server.port=0",
                "--spring.data.redis.port=" + redis.port(),
                "--xcomposer.gateway.comprehension-url=" + downstream.url(),
                "--xcomposer.gateway.bootstrap-key=false",
                "--xcomposer.gateway.limits.burst=100000",
                "--xcomposer.gateway.limits.requests-per-minute=10000000",
                "--logging.level.root=WARN",
                "--xcomposer.gateway.streams.resumable=" + System.getProperty("bench.resumable", "true"));
        gatewayUrl = "http://127.0.0.1:" + gateway.getEnvironment().getProperty("local.server.port");
        key = gateway.getBean(ApiKeyStore.class)
                .create("bench", 0, 0)
                .block(Duration.ofSeconds(5))
                .secret();
    }

    @AfterAll
    void stop() {
        gateway.close();
        downstream.close();
    }

    @Test
    void gatewayVersusDirect_256Streams_and1000OpenStreams() throws Exception {
        downstream.tokens = TOKENS;
        downstream.tokenDelay = TOKEN_INTERVAL;
        run(downstream.url(), 64); // warm-up, both paths
        run(gatewayUrl, 64);
        Result direct = run(downstream.url(), STREAMS);
        Result viaGateway = run(gatewayUrl, STREAMS);

        downstream.tokens = 40;
        downstream.tokenDelay = Duration.ofMillis(250);
        long heapBefore = usedHeapAfterGc();
        AtomicInteger open = new AtomicInteger();
        var thousand = Flux.range(0, 1000)
                .flatMap(i -> stream(gatewayUrl, open), 1000)
                .then()
                .toFuture();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (open.get() < 1000 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int opened = open.get();
        long heapDuring = usedHeapAfterGc();
        thousand.get();

        String report = String.format(
                """
                gateway streaming benchmark (resumable=%s; loopback double: %d tokens/stream every %d ms; %d concurrent streams)
                  direct : %.0f tokens/s, inter-token p50 %.1f ms p99 %.1f ms, tokens %d
                  gateway: %.0f tokens/s, inter-token p50 %.1f ms p99 %.1f ms, tokens %d
                  throughput ratio gateway/direct: %.3f; added p99 inter-token latency: %.1f ms
                1000 concurrent open streams through the gateway: %d opened; used heap after GC %d MiB -> %d MiB (%.1f KiB per stream, whole test JVM)
                """,
                System.getProperty("bench.resumable", "true"),
                TOKENS,
                TOKEN_INTERVAL.toMillis(),
                STREAMS,
                direct.tokensPerSecond(),
                direct.p50(),
                direct.p99(),
                direct.tokens(),
                viaGateway.tokensPerSecond(),
                viaGateway.p50(),
                viaGateway.p99(),
                viaGateway.tokens(),
                viaGateway.tokensPerSecond() / direct.tokensPerSecond(),
                viaGateway.p99() - direct.p99(),
                opened,
                heapBefore >> 20,
                heapDuring >> 20,
                (heapDuring - heapBefore) / 1024.0 / Math.max(1, opened));
        System.out.println(report);
        Files.writeString(
                Path.of("target/benchmark.txt"),
                report,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    private Result run(String base, int streams) {
        List<long[]> arrivals = new ArrayList<>();
        long start = System.nanoTime();
        List<long[]> all = Flux.range(0, streams)
                .flatMap(i -> timedStream(base), streams)
                .collectList()
                .block(Duration.ofMinutes(2));
        double seconds = (System.nanoTime() - start) / 1e9;
        arrivals.addAll(all);
        List<Double> gaps = new ArrayList<>();
        long tokens = 0;
        for (long[] times : arrivals) {
            tokens += times.length;
            for (int i = 1; i < times.length; i++) {
                gaps.add((times[i] - times[i - 1]) / 1e6);
            }
        }
        double[] sorted =
                gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Result(tokens / seconds, percentile(sorted, 0.50), percentile(sorted, 0.99), tokens);
    }

    /** Arrival time of every content token of one stream, counted on whole SSE events (chunks split anywhere). */
    private Mono<long[]> timedStream(String base) {
        List<Long> times = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        return request(base)
                .doOnNext(chunk -> {
                    long now = System.nanoTime();
                    pending.append(chunk);
                    int end = pending.lastIndexOf("\n\n");
                    if (end < 0) {
                        return;
                    }
                    String events = pending.substring(0, end);
                    pending.delete(0, end + 2);
                    int at = 0;
                    while ((at = events.indexOf("\"content\":\"", at)) >= 0) {
                        at += 11;
                        if (at < events.length() && events.charAt(at) != '"') {
                            times.add(now);
                        }
                    }
                })
                .then(Mono.fromSupplier(
                        () -> times.stream().mapToLong(Long::longValue).toArray()));
    }

    private Mono<Void> stream(String base, AtomicInteger open) {
        AtomicInteger seen = new AtomicInteger();
        return request(base)
                .doOnNext(chunk -> {
                    if (seen.getAndIncrement() == 0) {
                        open.incrementAndGet();
                    }
                })
                .then();
    }

    private Flux<String> request(String base) {
        String body =
                "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go\"}]}";
        return http.headers(headers -> headers.set("Authorization", "Bearer " + key)
                        .set("Content-Type", "application/json")
                        .set("Accept", "text/event-stream"))
                .post()
                .uri(base + "/v1/chat/completions")
                .send(ByteBufFlux.fromString(Mono.just(body)))
                .responseContent()
                .asString(StandardCharsets.UTF_8);
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private record Result(double tokensPerSecond, double p50, double p99, long tokens) {}
}
