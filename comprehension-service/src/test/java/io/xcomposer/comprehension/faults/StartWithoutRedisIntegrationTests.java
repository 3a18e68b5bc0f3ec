package io.xcomposer.comprehension.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import io.xcomposer.testsupport.ServiceProbes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * comprehension-service started before its Redis (a real redis-server brought up late on a fixed loopback port):
 * live at once, not ready, chats refused with 503 {@code redis_unavailable}; ready within 5 s of Redis appearing,
 * and chatting.
 */
class StartWithoutRedisIntegrationTests {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private static final String CHAT = "{\"model\":\"xcomposer\",\"max_tokens\":8,\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}";

    @Test
    void startsLiveNotReadyAndBecomesReadyWhenRedisAppears() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.notStarted()) {
            ConfigurableApplicationContext service = InJvmService.start(
                    ComprehensionApplication.class,
                    false,
                    "--xcomposer.inference.port=" + TestModelServer.get().port(),
                    "--spring.data.redis.host=" + redis.host(),
                    "--spring.data.redis.port=" + redis.port());
            try {
                String url = InJvmService.url(service);
                ServiceProbes.assertLiveNotReady(url);
                ServiceProbes.assertUnavailable(
                        HttpProbe.postJson(url + "/v1/chat/completions", CHAT, CALL_TIMEOUT), "redis_unavailable");

                redis.restart();
                Answer ready = ServiceProbes.awaitReady(url, Duration.ofSeconds(5));
                System.out.printf(
                        "comprehension ready %d ms after Redis appeared%n",
                        ready.took().toMillis());
                Answer chat = HttpProbe.postJson(url + "/v1/chat/completions", CHAT, CALL_TIMEOUT);
                assertThat(chat.status()).as(chat.body()).isEqualTo(200);
            } finally {
                service.close();
            }
        }
    }
}
