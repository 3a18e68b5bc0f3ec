package io.xcomposer.comprehension.support;

import io.xcomposer.testsupport.RedisServerProcess;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Points the service at the embedded model server and the test Redis, with limits small enough to test: images
 * up to 1 MB, and one test-only fetch origin ({@link RedirectingServer}) that redirects to loopback.
 */
public class TestEnvironment implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    public static final int MAX_IMAGE_BYTES = 1024 * 1024;

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        RedisServerProcess redis = RedisServerProcess.shared();
        TestPropertyValues.of(
                        "xcomposer.inference.host=127.0.0.1",
                        "xcomposer.inference.port=" + TestModelServer.get().port(),
                        "spring.data.redis.host=" + redis.host(),
                        "spring.data.redis.port=" + redis.port(),
                        "xcomposer.comprehension.image-max-bytes=" + MAX_IMAGE_BYTES,
                        "xcomposer.fetch.test-exempt-origins="
                                + RedirectingServer.get().origin())
                .applyTo(context);
    }
}
