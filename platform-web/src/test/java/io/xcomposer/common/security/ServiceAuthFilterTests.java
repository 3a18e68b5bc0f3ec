package io.xcomposer.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.common.error.ApiException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

class ServiceAuthFilterTests {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 50000);

    private static final InetSocketAddress POD_NETWORK = new InetSocketAddress("10.1.2.3", 50000);

    @Test
    void withoutATokenOnlyLoopbackCallersAreServed() {
        ServiceAuthFilter filter = new ServiceAuthFilter(new ServiceToken(""));
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.post("/v1/chat/completions").remoteAddress(LOOPBACK)))
                .isNull();
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.post("/v1/chat/completions").remoteAddress(POD_NETWORK)))
                .isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.get("/actuator/health/readiness").remoteAddress(POD_NETWORK)))
                .isNull();
    }

    @Test
    void withATokenEveryCallerMustPresentIt() {
        ServiceAuthFilter filter = new ServiceAuthFilter(new ServiceToken("s3cret"));
        for (InetSocketAddress from : new InetSocketAddress[] {LOOPBACK, POD_NETWORK}) {
            assertThat(outcome(
                            filter,
                            MockServerHttpRequest.delete("/v1/gallery/images/x").remoteAddress(from)))
                    .isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(outcome(
                            filter,
                            MockServerHttpRequest.delete("/v1/gallery/images/x")
                                    .header(ServiceToken.HEADER, "s3cre")
                                    .remoteAddress(from)))
                    .isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(outcome(
                            filter,
                            MockServerHttpRequest.delete("/v1/gallery/images/x")
                                    .header(ServiceToken.HEADER, "s3cret")
                                    .remoteAddress(from)))
                    .isNull();
        }
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.get("/actuator/prometheus")
                                .header("Authorization", "Bearer s3cret")
                                .remoteAddress(POD_NETWORK)))
                .isNull();
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.get("/actuator/prometheus").remoteAddress(POD_NETWORK)))
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        // A probe in another spelling is not a probe.
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.get("/actuator/health;a/../env").remoteAddress(LOOPBACK)))
                .isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(outcome(
                        filter,
                        MockServerHttpRequest.get("/actuator/health/liveness").remoteAddress(LOOPBACK)))
                .isNull();
    }

    @Test
    void theClientFilterAddsTheTokenOnlyWhenOneIsConfigured() {
        assertThat(new ServiceToken(" s3cret ").value()).isEqualTo("s3cret");
        assertThat(new ServiceToken(null).value()).isNull();
        assertThat(new ServiceToken("").matches("")).isFalse();
    }

    /** Null when the request passed the filter, otherwise the status it was refused with. */
    private static HttpStatus outcome(ServiceAuthFilter filter, MockServerHttpRequest.BaseBuilder<?> request) {
        AtomicBoolean passed = new AtomicBoolean();
        try {
            filter.filter(MockServerWebExchange.from(request), exchange -> {
                        passed.set(true);
                        return Mono.empty();
                    })
                    .block();
        } catch (ApiException refused) {
            return refused.status();
        }
        assertThat(passed).isTrue();
        return null;
    }
}
