package io.xcomposer.gateway.support;

import io.xcomposer.testsupport.RedisServerProcess;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** A started Lettuce connection factory to a test redis-server, for tests of one Redis-backed class; the caller destroys it. */
public final class TestRedisConnections {

    private TestRedisConnections() {}

    public static LettuceConnectionFactory connect(RedisServerProcess redis) {
        LettuceConnectionFactory connections = new LettuceConnectionFactory(redis.host(), redis.port());
        connections.afterPropertiesSet();
        connections.start();
        return connections;
    }
}
