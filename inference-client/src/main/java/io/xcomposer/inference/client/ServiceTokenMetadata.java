package io.xcomposer.inference.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * The service token on the gRPC hop: the platform's model server (cpu-inference-server) refuses calls without it
 * when it has one configured. NVIDIA Triton has no such check; in a cluster its port is closed to everything but the
 * services by NetworkPolicy, and the extra header is ignored.
 */
public final class ServiceTokenMetadata {

    /** Metadata key; the same name as the HTTP header the services use. */
    public static final Metadata.Key<String> KEY = Metadata.Key.of("x-service-token", Metadata.ASCII_STRING_MARSHALLER);

    private ServiceTokenMetadata() {}

    /** Adds {@code token} to every call. */
    public static ClientInterceptor clientInterceptor(String token) {
        return new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(
                    MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        headers.put(KEY, token);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }
}
