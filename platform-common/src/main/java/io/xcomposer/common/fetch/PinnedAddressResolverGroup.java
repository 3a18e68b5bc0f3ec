package io.xcomposer.common.fetch;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves exactly one host name, to the address that was already checked, and nothing else: the connection goes
 * where the check looked, so a DNS answer that changes between check and connect (rebinding) cannot redirect it.
 */
final class PinnedAddressResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    private final String host;

    private final InetAddress address;

    PinnedAddressResolverGroup(String host, InetAddress address) {
        this.host = host;
        this.address = address;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new PinnedNameResolver(executor));
    }

    private final class PinnedNameResolver extends InetNameResolver {

        PinnedNameResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String inetHost, Promise<InetAddress> promise) {
            if (matches(inetHost)) {
                promise.setSuccess(address);
            } else {
                promise.setFailure(new UnknownHostException(inetHost + " was not checked for this fetch"));
            }
        }

        @Override
        protected void doResolveAll(String inetHost, Promise<List<InetAddress>> promise) {
            if (matches(inetHost)) {
                promise.setSuccess(List.of(address));
            } else {
                promise.setFailure(new UnknownHostException(inetHost + " was not checked for this fetch"));
            }
        }

        private boolean matches(String inetHost) {
            return host.equalsIgnoreCase(inetHost);
        }
    }
}
