package io.xcomposer.common.health;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the {@link ModelServerWatch} probes ({@code xcomposer.inference.watch.*}).
 *
 * @param intervalWhileDown pause between probes while the server or a model is not ready: bounds how soon a
 * service notices the server appear
 * @param intervalWhileUp pause between probes while all is ready: bounds how soon it notices the server vanish
 * @param probeTimeout longest wait for one probe; a hung server reads as not ready
 * @param retryAfter the back-off suggested to clients refused while the server is not ready
 */
@ConfigurationProperties(ModelServerWatchProperties.PREFIX)
public record ModelServerWatchProperties(
        @DefaultValue("250ms") Duration intervalWhileDown,
        @DefaultValue("2s") Duration intervalWhileUp,
        @DefaultValue("1s") Duration probeTimeout,
        @DefaultValue("2s") Duration retryAfter) {

    public static final String PREFIX = "xcomposer.inference.watch";
}
