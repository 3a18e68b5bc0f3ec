package io.xcomposer.common.web;

import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * The {@code X-Request-Id} of the request being served: where it lives (header, exchange attribute, Reactor
 * context, MDC key) and what an acceptable incoming one looks like.
 */
public final class RequestId {

    public static final String HEADER = "X-Request-Id";

    /** Key in the Reactor context, the exchange attributes and the logging MDC. */
    public static final String KEY = "requestId";

    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private RequestId() {}

    /** The incoming id when it is sane (1–128 of {@code A-Z a-z 0-9 . _ : -}), otherwise a new one. */
    public static String acceptOrGenerate(@Nullable String incoming) {
        if (incoming != null && SANE.matcher(incoming).matches()) {
            return incoming;
        }
        return generate();
    }

    public static String generate() {
        return "req_" + UUID.randomUUID().toString().replace("-", "");
    }

    public static Optional<String> from(ContextView context) {
        return context.getOrEmpty(KEY);
    }

    /** The current request's id, from the subscriber's context; empty outside a request. */
    public static Mono<String> current() {
        return Mono.deferContextual(context -> Mono.justOrEmpty(from(context)));
    }
}
