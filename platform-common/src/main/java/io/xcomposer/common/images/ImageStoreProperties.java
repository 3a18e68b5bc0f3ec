package io.xcomposer.common.images;

import io.xcomposer.inference.client.image.ImageLimits;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Uploaded images in Redis ({@code xcomposer.images.*}).
 *
 * @param ttl how long an uploaded image stays; each new upload of the same bytes renews it
 * @param maxBytes largest image accepted, stored or not
 * @param maxPixels largest width × height accepted, read from the header before decoding (decompression bombs)
 */
@ConfigurationProperties(ImageStoreProperties.PREFIX)
public record ImageStoreProperties(
        @DefaultValue("24h") Duration ttl,
        @DefaultValue("20MB") DataSize maxBytes,
        @DefaultValue("40000000") long maxPixels) {

    public static final String PREFIX = "xcomposer.images";

    public ImageLimits limits() {
        return new ImageLimits(this.maxBytes.toBytes(), this.maxPixels);
    }
}
