package io.xcomposer.gateway.limit;

import io.xcomposer.gateway.auth.ApiKey;
import io.xcomposer.gateway.config.GatewayProperties;

/** A key's effective limits: its own overrides, else the gateway defaults. */
public record KeyLimits(int requestsPerMinute, int burst, long tokensPerMinute) {

    public static KeyLimits of(ApiKey key, GatewayProperties.Limits defaults) {
        int rpm = key.requestsPerMinute() > 0 ? key.requestsPerMinute() : defaults.requestsPerMinute();
        // A per-key rate smaller than the default burst would make the burst the real limit: cap it.
        int burst = Math.max(1, Math.min(defaults.burst(), rpm));
        long tpm = key.tokensPerMinute() != 0 ? key.tokensPerMinute() : defaults.tokensPerMinute();
        return new KeyLimits(rpm, burst, tpm);
    }

    public boolean hasTokenBudget() {
        return tokensPerMinute > 0;
    }
}
