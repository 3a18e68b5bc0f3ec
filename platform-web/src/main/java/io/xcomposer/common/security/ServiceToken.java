package io.xcomposer.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;

/**
 * The shared secret of the services behind the gateway. Callers send it in {@link #HEADER}; it is never sent to
 * anything but the platform's own services (the SSRF-safe image fetcher has its own client without it).
 */
public final class ServiceToken {

    /** Its own header, so it can never be confused with (or leak as) a client's {@code Authorization}. */
    public static final String HEADER = "X-Service-Token";

    private final byte[] secret;

    public ServiceToken(@Nullable String secret) {
        this.secret = (secret == null ? "" : secret.trim()).getBytes(StandardCharsets.UTF_8);
    }

    public boolean isConfigured() {
        return this.secret.length > 0;
    }

    /** Constant-time comparison; false when no token is configured. */
    public boolean matches(@Nullable String presented) {
        return isConfigured()
                && presented != null
                && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), this.secret);
    }

    /** Adds the token to every request of a WebClient that talks to a sibling service (nothing when unset). */
    public ExchangeFilterFunction clientFilter() {
        return (request, next) -> next.exchange(
                isConfigured()
                        ? ClientRequest.from(request)
                                .headers(
                                        headers -> headers.set(HEADER, new String(this.secret, StandardCharsets.UTF_8)))
                                .build()
                        : request);
    }

    /** The token as gRPC metadata wants it, or null when none is configured. */
    public @Nullable String value() {
        return isConfigured() ? new String(this.secret, StandardCharsets.UTF_8) : null;
    }
}
