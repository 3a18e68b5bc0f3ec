package io.xcomposer.comprehension.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.comprehension.ComprehensionApplication;
import io.xcomposer.comprehension.support.TestModelServer;
import io.xcomposer.testsupport.HttpProbe;
import io.xcomposer.testsupport.HttpProbe.Answer;
import io.xcomposer.testsupport.InJvmService;
import io.xcomposer.testsupport.RedisServerProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Redis killed (SIGKILL) under a running service and restarted with its append-only file: chats, streamed or not,
 * are refused with 503 {@code redis_unavailable} + Retry-After within 3 s, readiness goes down, and within 5 s of
 * Redis returning chats work again and the conversation stored before the crash continues.
 */
class RedisOutageIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Duration REFUSAL_BOUND = Duration.ofSeconds(3);

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private static RedisServerProcess redis;

    private static ConfigurableApplicationContext service;

    private static String url;

    @BeforeAll
    static void start() {
        redis = RedisServerProcess.startDurable();
        service = InJvmService.start(
                ComprehensionApplication.class,
                false,
                "--xcomposer.inference.port=" + TestModelServer.get().port(),
                "--spring.data.redis.host=" + redis.host(),
                "--spring.data.redis.port=" + redis.port());
        url = InJvmService.url(service);
    }

    @AfterAll
    static void stop() {
        service.close();
        redis.close();
    }

    @Test
    void chatsAreRefusedFastWhileRedisIsDownAndNothingStoredIsLost() {
        Answer first = chat(null, false);
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        String conversation = JSON.readTree(first.body()).get("conversation_id").asString();
        assertThat(HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT)
                        .status())
                .isEqualTo(200);

        redis.kill();

        for (Answer refused :
                new Answer[] {chat(null, false), chat(null, true), chat(conversation, false), chat(conversation, true)
                }) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.header("Retry-After")).isNotBlank();
            assertThat(JSON.readTree(refused.body()).at("/error/code").asString())
                    .isEqualTo("redis_unavailable");
            assertThat(refused.took()).isLessThan(REFUSAL_BOUND);
            System.out.printf(
                    "redis down: chat refused with 503 in %d ms%n",
                    refused.took().toMillis());
        }
        Answer readiness = HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT);
        assertThat(readiness.status()).isEqualTo(503);
        assertThat(readiness.took()).isLessThan(REFUSAL_BOUND);
        assertThat(HttpProbe.get(url + "/actuator/health/liveness", CALL_TIMEOUT)
                        .status())
                .isEqualTo(200);

        redis.restart();

        // The conversation acknowledged before the crash continues: its turn survived in the append-only file.
        Answer resumed = HttpProbe.await(
                () -> chat(conversation, false), answer -> answer.status() == 200, Duration.ofSeconds(5));
        System.out.printf(
                "redis back: first chat answered after %d ms%n", resumed.took().toMillis());
        assertThat(JSON.readTree(resumed.body()).get("conversation_id").asString())
                .isEqualTo(conversation);
        assertThat(redis.command("EXISTS", "xc:session:" + conversation)).isEqualTo(":1");
        assertThat(HttpProbe.await(
                                () -> HttpProbe.get(url + "/actuator/health/readiness", CALL_TIMEOUT),
                                answer -> answer.status() == 200,
                                Duration.ofSeconds(5))
                        .status())
                .isEqualTo(200);
    }

    private static Answer chat(String conversation, boolean stream) {
        JsonNode body = JSON.createObjectNode()
                .put("model", "xcomposer")
                .put("max_tokens", 8)
                .put("temperature", 0)
                .put("stream", stream)
                .set("messages", JSON.readTree("[{\"role\":\"user\",\"content\":\"Say hello.\"}]"));
        if (conversation != null) {
            ((ObjectNode) body).put("conversation_id", conversation);
        }
        return HttpProbe.postJson(url + "/v1/chat/completions", body.toString(), CALL_TIMEOUT);
    }
}
