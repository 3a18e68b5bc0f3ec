package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import io.xcomposer.gateway.support.GatewayIntegrationTest;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Java SDK against the gateway (downstream: the loopback double; the real model is exercised
 * in {@link FullStackIntegrationTests}). Retries are off so a 429 surfaces instead of being retried.
 */
class OpenAiSdkIntegrationTests extends GatewayIntegrationTest {

    private OpenAIClient sdk(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + port + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .build();
    }

    @Test
    void streamedChat_withUsage() {
        OpenAIClient client = sdk(newKey());
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model("xcomposer-tiny")
                .addUserMessage("Describe the picture.")
                .maxCompletionTokens(15)
                .seed(5)
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        List<ChatCompletionChunk> chunks;
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            chunks = stream.stream().collect(Collectors.toList());
        }
        String text = chunks.stream()
                .flatMap(chunk -> chunk.choices().stream())
                .flatMap(choice -> choice.delta().content().stream())
                .collect(Collectors.joining());
        assertThat(text).isNotBlank();
        assertThat(chunks.get(chunks.size() - 1).usage()).isPresent();
        assertThat(chunks.stream()
                        .flatMap(chunk -> chunk.choices().stream())
                        .anyMatch(choice -> choice.finishReason().isPresent()))
                .isTrue();
    }

    @Test
    void nonStreamedChat_andModels() {
        OpenAIClient client = sdk(newKey());
        ChatCompletion completion = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model("xcomposer-tiny")
                        .addUserMessage("hi")
                        .maxCompletionTokens(4)
                        .build());
        assertThat(completion.choices().get(0).message().content()).isPresent();
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(9);
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).contains("xcomposer-tiny");
    }

    @Test
    void errors_surfaceAsTheSdksExceptions() {
        OpenAIClient client = sdk(newKey());
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("xcomposer-tiny")
                                .addUserMessage("please-fail-400")
                                .build()))
                .isInstanceOf(BadRequestException.class)
                .hasMessageContaining("temperature");
        assertThatThrownBy(() -> client.chat()
                        .completions()
                        .create(ChatCompletionCreateParams.builder()
                                .model("no-such-model")
                                .addUserMessage("x")
                                .build()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> sdk("xc-wrong").models().list()).isInstanceOf(UnauthorizedException.class);
    }

    @Test
    void rateLimitedRequest_isTheSdksRateLimitException() {
        OpenAIClient client = sdk((String) createKey("sdk-slow", 1, 0).get("key"));
        client.models().list();
        assertThatThrownBy(() -> client.models().list())
                .isInstanceOf(RateLimitException.class)
                .satisfies(error -> assertThat(
                                ((RateLimitException) error).headers().values("Retry-After"))
                        .isNotEmpty());
    }
}
