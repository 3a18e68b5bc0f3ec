package io.xcomposer.gateway.auth;

import java.time.Instant;

/**
 * A stored API key, without its secret (only the SHA-256 of the secret is ever stored).
 *
 * @param id public id ({@code key_...}), used to revoke and as the limits' bucket name
 * @param name label chosen at creation
 * @param created creation time
 * @param revoked whether it was revoked
 * @param requestsPerMinute per-key override of the request rate; 0 = gateway default
 * @param tokensPerMinute per-key override of the token budget; 0 = gateway default, -1 = unlimited
 */
public record ApiKey(
        String id, String name, Instant created, boolean revoked, int requestsPerMinute, long tokensPerMinute) {}
