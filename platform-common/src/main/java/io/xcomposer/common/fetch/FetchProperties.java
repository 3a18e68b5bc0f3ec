package io.xcomposer.common.fetch;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * How image URLs given by clients are fetched ({@code xcomposer.fetch.*}).
 *
 * @param allowHttp accept {@code http://} URLs as well as {@code https://} (off: plain HTTP can be rewritten in
 * transit)
 * @param allowedHosts when not empty, the only hosts fetched from: exact names, or {@code *.example.com} for any
 * subdomain
 * @param maxRedirects redirects followed, each target checked again like the first URL
 * @param connectTimeout TCP (and TLS) connect limit per hop
 * @param readTimeout longest wait for the response or for the next bytes of it
 * @param totalTimeout limit of the whole fetch, redirects included
 * @param maxBytes largest image body; a larger one is aborted while streaming
 * @param testExemptOrigins TESTS ONLY: origins such as {@code http://127.0.0.1:8089} that skip the scheme and
 * address checks, so a test can serve images from a loopback server. Never set it in production.
 */
@ConfigurationProperties(FetchProperties.PREFIX)
public record FetchProperties(
        @DefaultValue("false") boolean allowHttp,
        @DefaultValue List<String> allowedHosts,
        @DefaultValue("3") int maxRedirects,
        @DefaultValue("3s") Duration connectTimeout,
        @DefaultValue("5s") Duration readTimeout,
        @DefaultValue("10s") Duration totalTimeout,
        @DefaultValue("20MB") DataSize maxBytes,
        @DefaultValue List<String> testExemptOrigins) {

    public static final String PREFIX = "xcomposer.fetch";

    public FetchProperties {
        allowedHosts = List.copyOf(allowedHosts);
        testExemptOrigins = List.copyOf(testExemptOrigins);
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must be ≥ 0");
        }
    }

    /** The defaults above, for use without Spring. */
    public static FetchProperties defaults() {
        return new FetchProperties(
                false,
                List.of(),
                3,
                Duration.ofSeconds(3),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                DataSize.ofMegabytes(20),
                List.of());
    }
}
