package io.xcomposer.common.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.xcomposer.common.error.ApiException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

class SafeImageFetcherTests {

    private static final byte[] IMAGE = "not really a png, but bytes".getBytes();

    private LoopbackRecorder recorder;

    @BeforeEach
    void startRecorder() throws Exception {
        this.recorder = LoopbackRecorder.answering(LoopbackRecorder.respond(200, IMAGE));
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
        assertThat(this.recorder.connections()).isZero();
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
        try (LoopbackRecorder redirector = LoopbackRecorder.answering(new MockResponse.Builder()
                .code(302)
                .addHeader("Location", "http://127.0.0.1:" + this.recorder.port() + "/a.png")
                .build())) {
            SafeImageFetcher fetcher = fetcher(properties(true, List.of(), List.of(redirector.origin())));

            ApiException refused = refusal(fetcher, redirector.origin() + "/start");

            assertThat(refused.code()).isEqualTo("image_url_forbidden");
            assertThat(redirector.hits()).isEqualTo(1);
            assertThat(this.recorder.hits()).isZero();
            assertThat(this.recorder.connections()).isZero();
        }
    }

    @Test
    void followsRedirectsUpToTheLimit() throws Exception {
        try (LoopbackRecorder loop = LoopbackRecorder.answering(new MockResponse.Builder()
                .code(301)
                .addHeader("Location", "/again")
                .build())) {
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
        Buffer fourMegabytes = new Buffer();
        for (int i = 0; i < 64; i++) {
            fourMegabytes.write(big);
        }
        // Chunked, so no Content-Length announces the size: the cap must apply while the body streams in.
        try (LoopbackRecorder chunked = LoopbackRecorder.answering(new MockResponse.Builder()
                .code(200)
                .chunkedBody(fourMegabytes, big.length)
                .build())) {
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
        try (LoopbackRecorder server = LoopbackRecorder.answering(LoopbackRecorder.respond(200, new byte[4096]))) {
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
        try (LoopbackRecorder slow = LoopbackRecorder.answering(new MockResponse.Builder()
                .code(200)
                .body(new Buffer().write(IMAGE))
                .headersDelay(3, TimeUnit.SECONDS)
                .build())) {
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
        try (LoopbackRecorder missing = LoopbackRecorder.answering(LoopbackRecorder.respond(404, new byte[0]))) {
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
