package io.xcomposer.common.fetch;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.timeout.ReadTimeoutException;
import io.xcomposer.common.error.ApiException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;

/**
 * Fetches an image URL given by a client without letting it reach anything internal (SSRF):
 * <ul>
 * <li>{@code https} only, unless {@link FetchProperties#allowHttp()}; no credentials in the URL; optional host
 * allowlist;</li>
 * <li>the host is resolved once, every address it resolves to must be public ({@link BlockedAddresses}), and the
 * connection is pinned to the checked address ({@link PinnedAddressResolverGroup}), so DNS rebinding cannot switch
 * it; a fresh connection per fetch, never a pooled one;</li>
 * <li>redirects are followed by hand, at most {@link FetchProperties#maxRedirects()}, each target checked like the
 * first URL;</li>
 * <li>connect, read and total timeouts; the body is capped while it streams.</li>
 * </ul>
 * Every refusal is an {@link ApiException}: 400 with code {@code image_url_forbidden}, {@code invalid_image_url},
 * {@code image_fetch_failed} or {@code image_fetch_timeout}, or 413 {@code image_too_large}. Whether the bytes are
 * an image is left to the image preprocessor.
 */
public class SafeImageFetcher {

    private static final Logger log = LoggerFactory.getLogger(SafeImageFetcher.class);

    private final FetchProperties properties;

    public SafeImageFetcher(FetchProperties properties) {
        this.properties = properties;
    }

    /** The body of {@code url}, after the checks above. */
    public Mono<byte[]> fetch(String url) {
        return Mono.defer(() -> fetchHop(parse(url), 0))
                .timeout(this.properties.totalTimeout())
                .onErrorMap(
                        this::isTimeout,
                        timeout -> ApiException.badRequest(
                                "image_fetch_timeout",
                                "Fetching the image URL took longer than "
                                        + this.properties.totalTimeout().toSeconds() + " s."));
    }

    /**
     * Checks {@code uri} as a fetch target without connecting: scheme, credentials, allowlist, then the resolved
     * addresses. Emits the address the connection must use.
     */
    public Mono<InetAddress> check(URI uri) {
        return Mono.fromCallable(() -> checkSyntax(uri))
                .flatMap(host ->
                        Mono.fromCallable(() -> resolveAndCheck(uri, host)).subscribeOn(Schedulers.boundedElastic()));
    }

    private Mono<byte[]> fetchHop(URI uri, int redirectsFollowed) {
        return check(uri).flatMap(address -> request(uri, address)).flatMap(hop -> {
            if (hop.body() != null) {
                return Mono.just(hop.body());
            }
            if (redirectsFollowed >= this.properties.maxRedirects()) {
                return Mono.error(ApiException.badRequest(
                        "image_fetch_failed",
                        "The image URL redirected more than " + this.properties.maxRedirects() + " times."));
            }
            return fetchHop(hop.redirect(), redirectsFollowed + 1);
        });
    }

    private Mono<Hop> request(URI uri, InetAddress address) {
        int connectMillis = Math.toIntExact(this.properties.connectTimeout().toMillis());
        return HttpClient.create(ConnectionProvider.newConnection())
                .resolver(new PinnedAddressResolverGroup(uri.getHost(), address))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
                .responseTimeout(this.properties.readTimeout())
                .followRedirect(false)
                .headers(headers -> headers.set(HttpHeaderNames.ACCEPT, "image/*"))
                .get()
                .uri(uri)
                .response((response, body) -> readHop(uri, response, body))
                .next()
                .onErrorMap(
                        error -> !(error instanceof ApiException) && !isTimeout(error),
                        error -> fetchFailed(uri, error));
    }

    private Mono<Hop> readHop(URI uri, HttpClientResponse response, ByteBufFlux body) {
        int status = response.status().code();
        if (status >= 300 && status < 400) {
            String location = response.responseHeaders().get(HttpHeaderNames.LOCATION);
            if (location == null) {
                return Mono.error(ApiException.badRequest(
                        "image_fetch_failed", "The image URL answered " + status + " without a Location."));
            }
            return Mono.fromCallable(() -> Hop.redirectTo(uri.resolve(new URI(location))));
        }
        if (status < 200 || status >= 300) {
            return Mono.error(
                    ApiException.badRequest("image_fetch_failed", "The image URL answered HTTP " + status + "."));
        }
        long maxBytes = this.properties.maxBytes().toBytes();
        String declared = response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
        if (declared != null && parseLength(declared) > maxBytes) {
            return Mono.error(tooLarge(maxBytes));
        }
        return body.asByteArray()
                .reduceWith(() -> new CappedBuffer(maxBytes), CappedBuffer::append)
                .map(buffer -> Hop.body(buffer.toByteArray()))
                .defaultIfEmpty(Hop.body(new byte[0]));
    }

    private URI parse(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException malformed) {
            throw ApiException.badRequest(
                    "invalid_image_url", "The image URL is not a valid URL: " + malformed.getReason() + ".");
        }
    }

    private String checkSyntax(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (!uri.isAbsolute()) {
            throw ApiException.badRequest("invalid_image_url", "The image URL must be an absolute https URL.");
        }
        boolean exempt = host != null && isTestExempt(uri);
        if (!scheme.equals("https") && !(scheme.equals("http") && (this.properties.allowHttp() || exempt))) {
            throw forbidden(
                    scheme.equals("http")
                            ? "plain http URLs are not fetched; use https"
                            : "only https URLs are fetched, not '" + scheme + "'");
        }
        if (host == null || host.isEmpty()) {
            throw ApiException.badRequest("invalid_image_url", "The image URL has no host.");
        }
        if (uri.getRawUserInfo() != null) {
            throw forbidden("URLs with credentials are not fetched");
        }
        if (!exempt && !hostAllowed(host)) {
            throw forbidden("host '" + host + "' is not on the allowlist");
        }
        return host;
    }

    private InetAddress resolveAndCheck(URI uri, String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException unknown) {
            throw ApiException.badRequest(
                    "image_fetch_failed", "The image URL's host '" + host + "' does not resolve.");
        }
        if (!isTestExempt(uri)) {
            for (InetAddress address : addresses) {
                String reason = BlockedAddresses.blockReason(address);
                if (reason != null) {
                    throw forbidden("host '" + host + "' resolves to a " + reason + " address");
                }
            }
        }
        return addresses[0];
    }

    private boolean hostAllowed(String host) {
        List<String> allowed = this.properties.allowedHosts();
        if (allowed.isEmpty()) {
            return true;
        }
        String name = host.toLowerCase(Locale.ROOT);
        return allowed.stream()
                .map(entry -> entry.toLowerCase(Locale.ROOT))
                .anyMatch(entry -> entry.startsWith("*.") ? name.endsWith(entry.substring(1)) : name.equals(entry));
    }

    private boolean isTestExempt(URI uri) {
        if (this.properties.testExemptOrigins().isEmpty()) {
            return false;
        }
        String origin = (uri.getScheme() + "://" + uri.getHost() + ":" + port(uri)).toLowerCase(Locale.ROOT);
        return this.properties.testExemptOrigins().stream().anyMatch(origin::equalsIgnoreCase);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "http".equalsIgnoreCase(uri.getScheme()) ? 80 : 443;
    }

    private boolean isTimeout(Throwable error) {
        return error instanceof TimeoutException
                || error instanceof ReadTimeoutException
                || error.getCause() instanceof ReadTimeoutException;
    }

    private static long parseLength(String declared) {
        try {
            return Long.parseLong(declared.trim());
        } catch (NumberFormatException malformed) {
            return -1;
        }
    }

    private static ApiException forbidden(String why) {
        return ApiException.badRequest("image_url_forbidden", "The image URL is not allowed: " + why + ".");
    }

    private static ApiException tooLarge(long maxBytes) {
        return ApiException.payloadTooLarge(
                "image_too_large", "The image at the URL is larger than " + maxBytes + " bytes.", null);
    }

    private static ApiException fetchFailed(URI uri, Throwable error) {
        log.debug("fetching {} failed", uri, error);
        return ApiException.badRequest(
                "image_fetch_failed",
                "The image URL could not be fetched: " + error.getClass().getSimpleName() + ".");
    }

    /** One hop's outcome: a body, or where it redirects. */
    private record Hop(byte @Nullable [] body, @Nullable URI redirect) {

        static Hop body(byte[] body) {
            return new Hop(body, null);
        }

        static Hop redirectTo(URI target) {
            return new Hop(null, target);
        }
    }

    /** Collects the body and fails as soon as it passes the cap, which cancels the download. */
    private static final class CappedBuffer {

        private final long maxBytes;

        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        CappedBuffer(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        CappedBuffer append(byte[] chunk) {
            if (this.bytes.size() + (long) chunk.length > this.maxBytes) {
                throw tooLarge(this.maxBytes);
            }
            this.bytes.writeBytes(chunk);
            return this;
        }

        byte[] toByteArray() {
            return this.bytes.toByteArray();
        }
    }
}
