package io.xcomposer.inference.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.xcomposer.inference.client.ServiceTokenMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jspecify.annotations.Nullable;

/**
 * Refuses calls without the configured service token with {@code UNAUTHENTICATED}; with no token configured every
 * call passes (the endpoint then binds loopback by default).
 */
final class ServiceTokenCheck implements ServerInterceptor {

    private final byte @Nullable [] token;

    ServiceTokenCheck(@Nullable String token) {
        this.token = token == null || token.isBlank() ? null : token.trim().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (token != null) {
            String presented = headers.get(ServiceTokenMetadata.KEY);
            if (presented == null || !MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), token)) {
                call.close(
                        Status.UNAUTHENTICATED.withDescription("this model server needs the service token"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
        }
        return next.startCall(call, headers);
    }
}
