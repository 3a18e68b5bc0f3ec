package io.xcomposer.composition.retrieval;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Where retrieval-service is.
 *
 * @param baseUrl its HTTP base URL; relative image URLs in its answers are resolved against it
 * @param timeout per request (search or image download)
 * @param maxImageSize largest image body accepted when downloading a candidate
 */
@ConfigurationProperties(RetrievalProperties.PREFIX)
public record RetrievalProperties(
        @DefaultValue("http://127.0.0.1:8083") URI baseUrl,
        @DefaultValue("10s") Duration timeout,
        @DefaultValue("20MB") DataSize maxImageSize) {

    public static final String PREFIX = "xcomposer.retrieval";
}
