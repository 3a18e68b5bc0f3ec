package io.xcomposer.gateway.limit;

import io.github.bucket4j.redis.lettuce.RedisApi;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.util.function.Function;
import org.springframework.data.redis.connection.lettuce.LettuceConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * bucket4j's three Redis commands on the native Lettuce connection that Spring shares (standalone or Cluster), so
 * the buckets get the gateway's Redis settings and its fail-fast behaviour (commands rejected at once while
 * disconnected, reconnects within about a second) and no connection of their own. The connection is looked up per
 * command: Spring re-creates the shared one after Redis comes back. Keys are {@code byte[]}, typed {@code Object}
 * because bucket4j hands the script's keys over as an {@code Object[]}.
 */
final class SharedLettuceConnection implements RedisApi<Object> {

    private final LettuceConnectionFactory factory;

    SharedLettuceConnection(LettuceConnectionFactory factory) {
        if (!factory.getShareNativeConnection()) {
            // A dedicated connection would be released on close, under the command still in flight.
            throw new IllegalStateException(
                    "The rate limiter needs the shared native Redis connection (Boot's default)");
        }
        this.factory = factory;
    }

    @Override
    public <V> RedisFuture<V> eval(String script, ScriptOutputType type, Object[] keys, byte[]... args) {
        byte[][] rawKeys = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            rawKeys[i] = (byte[]) keys[i];
        }
        return send(commands -> commands.eval(script, type, rawKeys, args));
    }

    @Override
    public RedisFuture<byte[]> get(Object key) {
        return send(commands -> commands.get((byte[]) key));
    }

    @Override
    public RedisFuture<?> delete(Object key) {
        return send(commands -> commands.del((byte[]) key));
    }

    /** Sends one command; closing Spring's wrapper afterwards leaves the shared connection (and the command) be. */
    private <V> RedisFuture<V> send(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<V>> command) {
        try (LettuceConnection connection = (LettuceConnection) factory.getConnection()) {
            return command.apply(connection.getNativeConnection());
        }
    }
}
