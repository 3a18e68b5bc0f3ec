package io.xcomposer.gateway.auth;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.gateway.config.GatewayProperties;
import io.xcomposer.gateway.error.GatewayException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;

/**
 * The operator credential for {@code /admin/**} and the actuator endpoints other than the probes. Without a token
 * configured those endpoints do not exist (404), so a forgotten token never means an open admin API.
 */
@Component
public class AdminToken {

    private final byte[] token;

    public AdminToken(GatewayProperties properties) {
        String configured =
                properties.adminToken() == null ? "" : properties.adminToken().trim();
        this.token = configured.getBytes(StandardCharsets.UTF_8);
    }

    /** Throws the error to answer unless the headers carry the admin token. */
    public void check(HttpHeaders headers) {
        if (token.length == 0) {
            throw ApiException.notFound(
                    "not_found",
                    "Admin endpoints are disabled: set " + GatewayProperties.PREFIX + ".admin-token.",
                    null);
        }
        String given = headers.getFirst(HttpHeaders.AUTHORIZATION);
        String presented = given != null && given.regionMatches(true, 0, "Bearer ", 0, 7)
                ? given.substring(7).trim()
                : "";
        // Constant-time compare: the admin token is the most valuable secret here.
        if (!MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token)) {
            throw GatewayException.unauthorized(
                    "invalid_admin_token", "This endpoint needs 'Authorization: Bearer <admin token>'.");
        }
    }
}
