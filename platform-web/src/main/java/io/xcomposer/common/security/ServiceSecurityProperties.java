package io.xcomposer.common.security;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How services behind the gateway know their callers, under {@code xcomposer.security}.
 *
 * @param serviceToken the secret every internal caller presents (env {@code XCOMPOSER_SERVICE_TOKEN}; in Kubernetes
 *        from a Secret). Blank: only callers on this host's loopback interface are accepted.
 * @param serviceAuth whether this application checks its callers (every service but the gateway, which
 *        authenticates clients with API keys instead)
 */
@ConfigurationProperties(ServiceSecurityProperties.PREFIX)
public record ServiceSecurityProperties(
        @Nullable String serviceToken, @DefaultValue("true") boolean serviceAuth) {

    public static final String PREFIX = "xcomposer.security";
}
