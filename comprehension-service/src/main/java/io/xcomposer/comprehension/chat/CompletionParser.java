package io.xcomposer.comprehension.chat;

import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.config.ModelSpecsSource;
import io.xcomposer.inference.client.generation.SamplingParams;
import io.xcomposer.inference.client.model.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Checks a {@link CompletionRequest} with the chat rules ({@link SamplingRules}; 400s naming the field) and renders
 * its prompts: each becomes one user turn of the model's chat template, so an instruction-tuned model answers it as
 * in chat; {@code raw: true} sends the text exactly as given (for prompts already in the model's format).
 */
@Component
class CompletionParser {

    /** The most prompts in one request; each is at least one generation. */
    static final int MAX_PROMPTS = 16;

    private final ComprehensionProperties properties;

    private final ModelSpecsSource specs;

    CompletionParser(ComprehensionProperties properties, ModelSpecsSource specs) {
        this.properties = properties;
        this.specs = specs;
    }

    CompletionCommand parse(CompletionRequest request) {
        refuseUnsupported(request);
        Integer maxTokens = request.maxTokens();
        // As in chat: a limit beyond the context means "as many as fit" (the server clips it).
        if (maxTokens != null && maxTokens < 1) {
            throw ChatRequestParser.invalid("max_tokens", "expected an integer of at least 1, got " + maxTokens);
        }
        int maxChoices = this.properties.maxChoices();
        int choices = request.n() == null ? 1 : request.n();
        if (choices < 1 || choices > maxChoices) {
            throw ChatRequestParser.invalid("n", "expected an integer from 1 to " + maxChoices + ", got " + choices);
        }
        Integer logprobs = request.logprobs();
        if (logprobs != null && (logprobs < 0 || logprobs > 5)) {
            throw ChatRequestParser.invalid("logprobs", "expected an integer from 0 to 5, got " + logprobs);
        }
        boolean stream = Boolean.TRUE.equals(request.stream());
        if (request.streamOptions() != null && !stream) {
            throw ChatRequestParser.invalid("stream_options", "stream_options is only allowed when stream is true");
        }
        SamplingParams sampling = new SamplingParams(
                maxTokens != null ? maxTokens : this.specs.get().llm().defaultMaxTokens(),
                SamplingRules.range("temperature", request.temperature(), 0, 2, true),
                SamplingRules.range("top_p", request.topP(), 0, 1, false),
                SamplingRules.nonNegative("top_k", request.topK()),
                SamplingRules.range("repetition_penalty", request.repetitionPenalty(), 0, 10, false),
                request.seed(),
                SamplingRules.stops(request.stop()),
                null,
                null,
                SamplingRules.penalty("presence_penalty", request.presencePenalty()),
                SamplingRules.penalty("frequency_penalty", request.frequencyPenalty()),
                logprobs);
        boolean includeUsage = request.streamOptions() != null
                && Boolean.TRUE.equals(request.streamOptions().includeUsage());
        return new CompletionCommand(
                prompts(request.prompt(), Boolean.TRUE.equals(request.raw())),
                sampling,
                choices,
                stream,
                includeUsage,
                logprobs != null);
    }

    private static void refuseUnsupported(CompletionRequest request) {
        if (Boolean.TRUE.equals(request.echo())) {
            throw UnsupportedOptions.unsupported("echo", "echoing the prompt is not supported; send echo false");
        }
        JsonNode suffix = request.suffix();
        if (suffix != null
                && !suffix.isNull()
                && !(suffix.isString() && suffix.stringValue().isEmpty())) {
            throw UnsupportedOptions.unsupported("suffix", "the model does not fill in the middle");
        }
        if (request.bestOf() != null && request.bestOf() != 1) {
            throw UnsupportedOptions.unsupported("best_of", "only best_of 1 is supported; use n for several samples");
        }
        JsonNode bias = request.logitBias();
        if (bias != null && !bias.isNull() && !(bias.isObject() && bias.isEmpty())) {
            throw UnsupportedOptions.unsupported("logit_bias", "token biases are not supported");
        }
    }

    private List<String> prompts(@Nullable JsonNode prompt, boolean raw) {
        List<String> texts = new ArrayList<>();
        if (prompt != null && prompt.isString()) {
            texts.add(prompt.stringValue());
        } else if (prompt != null && prompt.isArray() && !prompt.isEmpty() && prompt.size() <= MAX_PROMPTS) {
            for (int i = 0; i < prompt.size(); i++) {
                if (!prompt.get(i).isString()) {
                    throw ChatRequestParser.invalid(
                            "prompt[" + i + "]", "expected a string (token-id prompts are not supported)");
                }
                texts.add(prompt.get(i).stringValue());
            }
        } else {
            throw ChatRequestParser.invalid(
                    "prompt", "expected a string or an array of 1 to " + MAX_PROMPTS + " strings");
        }
        ChatTemplate template = this.specs.get().llm().template();
        List<String> rendered = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            if (!raw && text.isBlank()) {
                throw ChatRequestParser.invalid(texts.size() == 1 ? "prompt" : "prompt[" + i + "]", "empty prompt");
            }
            rendered.add(raw ? text : template.firstTurn(text, 0));
        }
        return rendered;
    }
}
