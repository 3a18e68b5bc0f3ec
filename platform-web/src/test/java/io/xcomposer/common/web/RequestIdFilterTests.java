package io.xcomposer.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.publisher.Mono;

class RequestIdFilterTests {

    private final RequestIdFilter filter = new RequestIdFilter();

    @Test
    void keepsASaneIncomingIdEverywhere() {
        AtomicReference<String> seenInContext = new AtomicReference<>();
        MockServerWebExchange exchange =
                MockServerWebExchange.from(MockServerHttpRequest.get("/").header(RequestId.HEADER, "abc-123_X.y:z"));

        this.filter
                .filter(
                        exchange,
                        served ->
                                RequestId.current().doOnNext(seenInContext::set).then())
                .block(Duration.ofSeconds(5));

        assertThat(exchange.getResponse().getHeaders().getFirst(RequestId.HEADER))
                .isEqualTo("abc-123_X.y:z");
        assertThat(seenInContext.get()).isEqualTo("abc-123_X.y:z");
        assertThat((String) exchange.getAttribute(RequestId.KEY)).isEqualTo("abc-123_X.y:z");
    }

    @Test
    void replacesMissingOrUnsafeIds() {
        for (String incoming : new String[] {null, "", "evil\r\nSet-Cookie: x", "x".repeat(129), "a b"}) {
            MockServerHttpRequest.BaseBuilder<?> request = MockServerHttpRequest.get("/");
            if (incoming != null) {
                request.header(RequestId.HEADER, incoming);
            }
            MockServerWebExchange exchange = MockServerWebExchange.from(request);

            this.filter.filter(exchange, served -> Mono.empty()).block(Duration.ofSeconds(5));

            assertThat(exchange.getResponse().getHeaders().getFirst(RequestId.HEADER))
                    .matches("req_[0-9a-f]{32}");
        }
    }
}
