package io.xcomposer.gateway.auth;

/** A key just created: the only moment its secret exists outside the client. */
public record CreatedKey(ApiKey key, String secret) {}
