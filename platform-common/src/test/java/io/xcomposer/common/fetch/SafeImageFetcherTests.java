package io.xcomposer.common.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

class SafeImageFetcherTests {

    private static final byte[] IMAGE = "not really a png, but bytes".getBytes();

    private RecordingHttpServer recorder;

    @BeforeEach
    void startRecorder() throws Exception {
        this.recorder = RecordingHttpServer.start(RecordingHttpServer.respond(200, IMAGE));
    }

    @AfterEach
    void stopRecorder() {
        this.recorder.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://127.0.0.1/a.png",
                "https://localhost/a.png",
                "https://[::1]/a.png",
                "https://10.0.0.8/a.png",
                "https://172.20.1.1/a.png",
                "https://192.168.0.10/a.png",
                "https://169.254.169.254/latest/meta-data/",
                "https://[fd00:ec2::254]/latest/meta-data/",
                "https://169.254.1.1/a.png",
                "https://[fe80::1]/a.png",
                "https://0.0.0.0/a.png",
                "https://[::]/a.png",
                "https://224.0.0.1/a.png",
                "https://100.64.0.1/a.png",
                "https://[::ffff:127.0.0.1]/a.png",
                "https://[::ffff:a9fe:a9fe]/a.png",
                "https://[fc00::5]/a.png"
            })
    void refusesNonPublicAddressesBeforeConnecting(String url) {
        ApiException refused = refusal(fetcher(properties(true, List.of(), List.of())), url);

        assertThat(refused.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refused.code()).isEqualTo("image_url_forbidden");
        assertThat(refused.getMessage()).contains("resolves to a");
    }

    @Test
    void loopbackServerIsNeverContactedWithoutTheTestExemption() {
        SafeImageFetcher fetcher = fetcher(properties(true, List.of(), List.of()));

        ApiException refused = refusal(fetcher, this.recorder.origin() + "/a.png");
        ApiException byName = refusal(fetcher, "http://localhost:" + this.recorder.port() + "/a.png");

        assertThat(refused.getMessage()).contains("loopback");
        assertThat(byName.getMessage()).contains("loopback");
        assertThat(this.recorder.hits()).isZero();
    }

    @Test
    void fetchesFromTheExemptTestOrigin() {
        SafeImageFetcher fetcher = fetcher(properties(false, List.of(), List.of(this.recorder.origin())));

        byte[] body = fetcher.fetch(this.recorder.origin() + "/a.png").block(Duration.ofSeconds(10));

        assertThat(body).isEqualTo(IMAGE);
        assertThat(this.recorder.hits()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://example.com/a.png",
                "file:///etc/passwd",
                "ftp://example.com/a.png",
                "gopher://example.com/",
                "https://user:secret@example.com/a.png"
            })
    void refusesSchemesAndCredentials(String url) {
        ApiException refused = refusal(fetcher(FetchProperties.defaults()), url);

        assertThat(refused.code()).isEqualTo("image_url_forbidden");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not a url", "/relative/a.png", "https:///a.png"})
    void refusesMalformedUrls(String url) {
        assertThat(refusal(fetcher(FetchProperties.defaults()), url).code()).isEqualTo("invalid_image_url");
    }

    @Test
    void allowlistLimitsHosts() {
        SafeImageFetcher fetcher =
                fetcher(properties(false, List.of("images.example.org", "*.cdn.example.net"), List.of()));

        assertThat(refusal(fetcher, "https://evil.example.com/a.png").getMessage())
                .contains("allowlist");
        assertThat(refusal(fetcher, "https://cdn.example.net.evil.com/a.png").getMessage())
                .contains("allowlist");
        ApiException wildcard = refusal(fetcher, "https://a.cdn.example.net/a.png");
        assertThat(wildcard == null ? "" : wildcard.getMessage()).doesNotContain("allowlist");
    }

    @Test
    void redirectToLoopbackIsRefusedAndNeverFollowed() throws Exception {
        try (RecordingHttpServer redirector = RecordingHttpServer.start(exchange -> {
            exchange.getResponseHeaders().set("Location", "http://127.0.0.1:" + this.recorder.port() + "/a.png");
            RecordingHttpServer.send(exchange, 302, new byte[0]);
        })) {
            SafeImageFetcher fetcher = fetcher(properties(true, List.of(), List.of(redirector.origin())));

            ApiException refused = refusal(fetcher, redirector.origin() + "/start");

            assertThat(refused.code()).isEqualTo("image_url_forbidden");
            assertThat(redirector.hits()).isEqualTo(1);
            assertThat(this.recorder.hits()).isZero();
        }
    }

    @Test
    void followsRedirectsUpToTheLimit() throws Exception {
        try (RecordingHttpServer loop = RecordingHttpServer.start(exchange -> {
            exchange.getResponseHeaders().set("Location", "/again");
            RecordingHttpServer.send(exchange, 301, new byte[0]);
        })) {
            SafeImageFetcher fetcher = fetcher(properties(false, List.of(), List.of(loop.origin())));

            ApiException refused = refusal(fetcher, loop.origin() + "/start");

            assertThat(refused.getMessage()).contains("redirected more than 3 times");
            assertThat(loop.hits()).isEqualTo(4);
        }
    }

    @Test
    void abortsBodiesOverTheCapWhileStreaming() throws Exception {
        byte[] big = new byte[64 * 1024];
        Arrays.fill(big, (byte) 7);
        try (RecordingHttpServer chunked = RecordingHttpServer.start(exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (var out = exchange.getResponseBody()) {
                for (int i = 0; i < 64; i++) {
                    out.write(big);
                }
            } catch (java.io.IOException clientWentAway) {
                // expected: the fetcher aborts at the cap
            }
        })) {
            FetchProperties capped = new FetchProperties(
                    false,
                    List.of(),
                    3,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    DataSize.ofKilobytes(100),
                    List.of(chunked.origin()));

            ApiException refused = refusal(fetcher(capped), chunked.origin() + "/big.png");

            assertThat(refused.status()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
            assertThat(refused.code()).isEqualTo("image_too_large");
        }
    }

    @Test
    void refusesDeclaredOversizeBodies() throws Exception {
        try (RecordingHttpServer server = RecordingHttpServer.start(RecordingHttpServer.respond(200, new byte[4096]))) {
            FetchProperties capped = new FetchProperties(
                    false,
                    List.of(),
                    3,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    DataSize.ofBytes(1000),
                    List.of(server.origin()));

            assertThat(refusal(fetcher(capped), server.origin() + "/a.png").code())
                    .isEqualTo("image_too_large");
        }
    }

    @Test
    void timesOutOnASlowServer() throws Exception {
        try (RecordingHttpServer slow = RecordingHttpServer.start(exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            RecordingHttpServer.send(exchange, 200, IMAGE);
        })) {
            FetchProperties impatient = new FetchProperties(
                    false,
                    List.of(),
                    3,
                    Duration.ofSeconds(1),
                    Duration.ofMillis(300),
                    Duration.ofMillis(600),
                    DataSize.ofMegabytes(1),
                    List.of(slow.origin()));
            long started = System.nanoTime();

            ApiException refused = refusal(fetcher(impatient), slow.origin() + "/a.png");

            assertThat(refused.code()).isEqualTo("image_fetch_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        }
    }

    @Test
    void reportsHttpErrors() throws Exception {
        try (RecordingHttpServer missing = RecordingHttpServer.start(RecordingHttpServer.respond(404, new byte[0]))) {
            SafeImageFetcher fetcher = fetcher(properties(false, List.of(), List.of(missing.origin())));

            ApiException refused = refusal(fetcher, missing.origin() + "/a.png");

            assertThat(refused.code()).isEqualTo("image_fetch_failed");
            assertThat(refused.getMessage()).contains("404");
        }
    }

    private static FetchProperties properties(boolean allowHttp, List<String> allowedHosts, List<String> exempt) {
        return new FetchProperties(
                allowHttp,
                allowedHosts,
                3,
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                DataSize.ofMegabytes(1),
                exempt);
    }

    private static SafeImageFetcher fetcher(FetchProperties properties) {
        return new SafeImageFetcher(properties);
    }

    private static ApiException refusal(SafeImageFetcher fetcher, String url) {
        return catchThrowableOfType(ApiException.class, () -> fetcher.fetch(url).block(Duration.ofSeconds(10)));
    }
}
