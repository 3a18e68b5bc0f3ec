package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.ComprehensionStack;
import io.xcomposer.gateway.support.SseClient;
import io.xcomposer.inference.server.EmbeddedInferenceServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The embedded-default stack: real redis-server, the CPU inference server with the tiny model, the real
 * comprehension-service (a test dependency, see {@link ComprehensionStack}) and the gateway, all in this JVM but the
 * Redis, on free ports and talking over real HTTP/gRPC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullStackIntegrationTests {

    /** Held-out VQA item 237 ("How many shapes are there?" → "1."), answered correctly by the tiny model. */
    private static final String IMAGE = "images/00237-0.png";

    private static final String QUESTION = "How many shapes are there?";
    private static final String ANSWER = "1.";

    private ComprehensionStack stack;
    private EmbeddedInferenceServer model;
    private ConfigurableApplicationContext gateway;
    private int port;

    @BeforeAll
    void startStack() {
        stack = new ComprehensionStack(List.of(), List.of(), List.of("--xcomposer.gateway.streams.detached-grace=20s"));
        model = stack.model;
        gateway = stack.gateway;
        port = stack.port;
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void sdk_streamedChatWithAnImage_answersTheHeldOutQuestion() throws Exception {
        OpenAIClient sdk = sdk(key(0));
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("xcomposer-tiny")
                .addUserMessageOfArrayOfContentParts(List.of(
                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                        .url(dataUrl(IMAGE))
                                        .build())
                                .build()),
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder()
                                .text(QUESTION)
                                .build())))
                .temperature(0.0)
                .maxCompletionTokens(16)
                .build();
        String text;
        try (StreamResponse<ChatCompletionChunk> stream =
                sdk.chat().completions().createStreaming(params)) {
            text = stream.stream()
                    .flatMap(chunk -> chunk.choices().stream())
                    .flatMap(choice -> choice.delta().content().stream())
                    .collect(Collectors.joining());
        }
        assertThat(text.trim()).isEqualTo(ANSWER);
    }

    @Test
    void sdk_badRequest_andRateLimit() {
        OpenAIClient sdk = sdk(key(0));
        assertThatThrownBy(() -> sdk.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("xcomposer-tiny")
                                .addUserMessageOfArrayOfContentParts(List.of(
                                        ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                                                .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                                        .url("data:image/png;base64,bm90IGFuIGltYWdl")
                                                        .build())
                                                .build())))
                                .build()))
                .isInstanceOf(BadRequestException.class);
        OpenAIClient limited = sdk(key(1));
        limited.models().list();
        assertThatThrownBy(() -> limited.models().list()).isInstanceOf(RateLimitException.class);
    }

    @Test
    void resume_joinsToTheUninterruptedText_andTheModelGeneratesOnce() throws Exception {
        SseClient sse = new SseClient(port, key(0));
        String body = "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"seed\":1234,\"temperature\":0.9,"
                + "\"max_tokens\":48,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"" + dataUrl("images/00000-0.png") + "\"}},{\"type\":\"text\","
                + "\"text\":\"What is in this picture?\"}]}]}";
        String uninterrupted =
                SseClient.text(sse.post("/v1/chat/completions", body, Map.of()).readAll());
        assertThat(uninterrupted).isNotBlank();

        double generationsBefore = llmCount("nv_inference_count");
        SseClient.Response first = sse.post("/v1/chat/completions", body, Map.of());
        String streamId = first.header("X-Stream-Id");
        List<SseClient.Event> head = first.read(4);
        first.close();
        String lastId = head.get(head.size() - 1).id();
        List<SseClient.Event> tail = sse.get("/v1/streams/" + streamId, Map.of("Last-Event-ID", lastId))
                .readAll();

        assertThat(SseClient.text(head) + SseClient.text(tail)).isEqualTo(uninterrupted);
        assertThat(llmCount("nv_inference_count") - generationsBefore)
                .as("llm inferences for the resumed stream")
                .isEqualTo(1.0);
    }

    private double llmCount(String name) {
        MeterRegistry registry = model.context().getBean(MeterRegistry.class);
        return registry.find(name).tag("model", "llm").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    private String key(int requestsPerMinute) {
        return gateway.getBean(ApiKeyStore.class)
                .create("full-stack", requestsPerMinute, 0)
                .block(Duration.ofSeconds(5))
                .secret();
    }

    private OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    private static Path repository() {
        return Path.of(System.getProperty("model.repository"));
    }

    private static String dataUrl(String image) throws Exception {
        byte[] bytes = Files.readAllBytes(repository().resolve("eval").resolve(image));
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
