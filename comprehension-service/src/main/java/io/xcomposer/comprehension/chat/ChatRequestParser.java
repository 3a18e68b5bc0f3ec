package io.xcomposer.comprehension.chat;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.inference.client.generation.SamplingParams;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Checks a {@link ChatCompletionRequest} and turns it into a {@link ChatCommand}. Each problem is a 400 naming the
 * field ({@code param}) and what is accepted, in OpenAI's wording style. The request's options are checked here;
 * the sampling values by {@link SamplingRules}, message contents by {@link ContentParts}, and the order of the
 * messages (turns) by {@link MessageCollector}.
 */
@Component
class ChatRequestParser {

    private final ComprehensionProperties properties;

    private final ModelSpecsSource specs;

    ChatRequestParser(ComprehensionProperties properties, ModelSpecsSource specs) {
        this.properties = properties;
        this.specs = specs;
    }

    ChatCommand parse(ChatCompletionRequest request) {
        int contextLength = this.specs.get().llm().contextLength();
        UnsupportedOptions.refuse(request);
        int maxChoices = this.properties.maxChoices();
        int choices = request.n() == null ? 1 : request.n();
        if (choices < 1 || choices > maxChoices) {
            throw invalid("n", "expected an integer from 1 to " + maxChoices + ", got " + choices);
        }
        boolean stream = Boolean.TRUE.equals(request.stream());
        if (request.streamOptions() != null && !stream) {
            throw invalid("stream_options", "stream_options is only allowed when stream is true");
        }
        Integer maxTokens = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        String maxTokensParam = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        if (maxTokens != null && maxTokens < 1) {
            throw invalid(maxTokensParam, "expected an integer of at least 1, got " + maxTokens);
        }
        int defaultMaxTokens = this.specs.get().llm().defaultMaxTokens();
        // A limit the context cannot hold (Open WebUI's title call asks for 1000) means "as many as fit": the
        // server clips it to what the prompt leaves; the prompt is planned keeping an eighth of the context (at
        // most the model's default) for the answer, so a long task prompt still fits.
        int reservedTokens = maxTokens == null
                ? defaultMaxTokens
                : maxTokens >= contextLength ? Math.min(defaultMaxTokens, contextLength / 8) : maxTokens;
        SamplingParams sampling = new SamplingParams(
                maxTokens,
                SamplingRules.range("temperature", request.temperature(), 0, 2, true),
                SamplingRules.range("top_p", request.topP(), 0, 1, false),
                SamplingRules.nonNegative("top_k", request.topK()),
                SamplingRules.range("repetition_penalty", request.repetitionPenalty(), 0, 10, false),
                request.seed(),
                SamplingRules.stops(request.stop()),
                SamplingRules.numBeams(request.numBeams()),
                SamplingRules.range("length_penalty", request.lengthPenalty(), -10, 10, true),
                SamplingRules.penalty("presence_penalty", request.presencePenalty()),
                SamplingRules.penalty("frequency_penalty", request.frequencyPenalty()),
                SamplingRules.logprobs(request.logprobs(), request.topLogprobs(), request.numBeams()));
        MessageCollector conversation = messages(request.messages());
        boolean includeUsage = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return new ChatCommand(
                conversation.systemPrompt(),
                conversation.turns(),
                sampling,
                reservedTokens,
                stream,
                includeUsage,
                request.conversationId(),
                choices);
    }

    private MessageCollector messages(@Nullable List<ChatCompletionRequest.Message> messages) {
        if (messages == null || messages.isEmpty()) {
            throw invalid("messages", "expected a non-empty array of messages");
        }
        MessageCollector conversation = new MessageCollector();
        for (int i = 0; i < messages.size(); i++) {
            String param = "messages[" + i + "]";
            ChatCompletionRequest.Message message = messages.get(i);
            if (message == null) {
                throw invalid(param, "expected a message object, got null");
            }
            String role = message.role();
            if (role == null) {
                throw invalid(param + ".role", "expected one of 'system', 'developer', 'user', 'assistant'");
            }
            switch (role) {
                case "system", "developer" ->
                    conversation.system(ContentParts.textOnly(message.content(), param + ".content"));
                case "user" -> conversation.user(ContentParts.user(message.content(), param + ".content"), param);
                case "assistant" ->
                    conversation.assistant(ContentParts.textOnly(message.content(), param + ".content"), param);
                default ->
                    throw invalid(
                            param + ".role",
                            "role '" + role
                                    + "' is not supported; expected 'system', 'developer', 'user' or 'assistant'");
            }
        }
        conversation.finish(this.properties.maxImagesPerRequest());
        return conversation;
    }

    static ApiException invalid(String param, String problem) {
        return ApiException.badRequest("invalid_value", "Invalid '" + param + "': " + problem + ".", param);
    }
}
