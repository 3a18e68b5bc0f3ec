package io.xcomposer.gateway.downstream;

import io.xcomposer.common.web.RequestId;
import io.xcomposer.gateway.auth.ApiKey;
import io.xcomposer.gateway.auth.ApiKeyFilter;
import io.xcomposer.gateway.error.ErrorBodies;
import java.util.function.Consumer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Header and error plumbing shared by every handler that calls a downstream. */
public final class Forwarding {

    public static final String KEY_ID_HEADER = "X-Api-Key-Id";

    private Forwarding() {}

    /**
     * Headers every downstream call carries: the request id (end-to-end correlation) and the caller's key id
     * (owner of conversations and jobs). The client's secret is never forwarded.
     */
    public static Consumer<HttpHeaders> baseHeaders(ServerWebExchange exchange) {
        String set = exchange.getAttribute(RequestId.KEY); // by platform-web's RequestIdFilter
        String requestId = set != null ? set : RequestId.generate();
        ApiKey key = exchange.getAttribute(ApiKeyFilter.ATTRIBUTE);
        return headers -> {
            headers.set(RequestId.HEADER, requestId);
            if (key != null) {
                headers.set(KEY_ID_HEADER, key.id());
            }
        };
    }

    /** A downstream error status relayed as is, body normalised to the platform's error shape. */
    public static Mono<ServerResponse> relayError(DownstreamStatusException error) {
        ServerResponse.BodyBuilder response =
                ServerResponse.status(error.status()).contentType(MediaType.APPLICATION_JSON);
        String retryAfter = error.headers().getFirst(HttpHeaders.RETRY_AFTER);
        if (retryAfter != null) {
            response.header(HttpHeaders.RETRY_AFTER, retryAfter);
        } else if (error.status().value() == 429 || error.status().value() == 503) {
            response.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return response.bodyValue(ErrorBodies.normalise(error.status().value(), error.body()));
    }
}
