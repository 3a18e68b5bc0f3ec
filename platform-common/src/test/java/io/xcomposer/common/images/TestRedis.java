package io.xcomposer.common.images;

import io.xcomposer.testsupport.RedisServerProcess;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** A started connection factory to the JVM's shared test redis-server; the caller destroys it. */
final class TestRedis {

    private TestRedis() {}

    static LettuceConnectionFactory connect(RedisServerProcess redis) {
        LettuceConnectionFactory connections =
                new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        connections.afterPropertiesSet();
        connections.start();
        return connections;
    }
}
