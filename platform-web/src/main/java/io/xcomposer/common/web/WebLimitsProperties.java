package io.xcomposer.common.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Request limits of a service ({@code xcomposer.web.*}).
 *
 * @param maxBodySize the largest request body accepted, on every route and in every form (JSON, multipart,
 * chunked); larger ones get 413 {@code request_too_large}. It also sizes the codecs' in-memory buffer, which
 * otherwise stays at Spring's 256 KiB: the one setting for both, so they cannot disagree. The default fits the
 * largest accepted image (20 MB) as base64 (~27 MB) in a JSON body.
 */
@ConfigurationProperties(WebLimitsProperties.PREFIX)
public record WebLimitsProperties(@DefaultValue("32MB") DataSize maxBodySize) {

    public static final String PREFIX = "xcomposer.web";
}
