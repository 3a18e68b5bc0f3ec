package io.xcomposer.inference.client.contract;

import static io.xcomposer.inference.client.contract.TensorSpec.optional;
import static io.xcomposer.inference.client.contract.TensorSpec.required;
import static io.xcomposer.inference.client.tensor.TensorDatatype.BYTES;
import static io.xcomposer.inference.client.tensor.TensorDatatype.FP32;
import static io.xcomposer.inference.client.tensor.TensorDatatype.INT32;
import static io.xcomposer.inference.client.tensor.TensorDatatype.INT64;

import java.util.List;

/** The decoupled {@code llm} model: tensors, parameter keys, limits and error prefixes (docs/model-contract.md). */
public final class LlmContract {

    public static final String MODEL = "llm";

    public static final String TEXT_INPUT = "text_input";
    public static final String IMAGE_EMBEDS = ImageEmbeds.NAME;
    public static final String MAX_TOKENS = "max_tokens";
    public static final String TEMPERATURE = "temperature";
    public static final String TOP_P = "top_p";
    public static final String TOP_K = "top_k";
    public static final String REPETITION_PENALTY = "repetition_penalty";
    public static final String SEED = "seed";
    public static final String STOP_WORDS = "stop_words";
    /** Beam count; 1 (the default) decodes one sequence, greedy or sampled. */
    public static final String NUM_BEAMS = "num_beams";
    /** Exponent of the length in a beam's score {@code sum log p / length^length_penalty}; default 1. */
    public static final String LENGTH_PENALTY = "length_penalty";
    /** OpenAI's penalties over the completion so far: minus {@code count * frequency + (count > 0) * presence}. */
    public static final String PRESENCE_PENALTY = "presence_penalty";

    public static final String FREQUENCY_PENALTY = "frequency_penalty";
    /**
     * Asks for log-probabilities: present = report the chosen tokens' log-probabilities, the value = how many of the
     * most likely alternatives to report with each (0 to {@link #MAX_TOP_LOGPROBS}).
     */
    public static final String LOGPROBS = "logprobs";

    public static final String TEXT_OUTPUT = "text_output";
    public static final String FINISH_REASON = "finish_reason";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    public static final String COMPLETION_TOKENS = "completion_tokens";
    /** Only when {@link #LOGPROBS} was asked: the bytes of each token whose text this response carries. */
    public static final String TOKEN_BYTES = "token_bytes";
    /** Only with {@link #TOKEN_BYTES}: each token's log-probability. */
    public static final String TOKEN_LOGPROBS = "token_logprobs";
    /** Only when alternatives were asked: {@code [T, K]} bytes of each token's K most likely alternatives. */
    public static final String TOP_TOKEN_BYTES = "top_token_bytes";
    /** Only with {@link #TOP_TOKEN_BYTES}: {@code [T, K]} their log-probabilities. */
    public static final String TOP_LOGPROBS = "top_logprobs";

    /** Response parameter (bool) that Triton sets to true on exactly the last response of a request. */
    public static final String FINAL_RESPONSE_PARAMETER = "triton_final_response";
    /** Request parameter (must be bool_param) that asks for a final response even when a backend has no output. */
    public static final String ENABLE_EMPTY_FINAL_RESPONSE_PARAMETER = "triton_enable_empty_final_response";

    public static final String CONTEXT_LENGTH = "context_length";
    public static final String DEFAULT_MAX_TOKENS = "default_max_tokens";
    public static final String IMAGE_PLACEHOLDER = "image_placeholder";
    public static final String IMAGE_TOKENS = ImageEmbeds.TOKENS_PARAMETER;
    public static final String HIDDEN_SIZE = ImageEmbeds.WIDTH_PARAMETER;
    public static final String TOKENIZER = "tokenizer";
    public static final String STOP_STRINGS = "stop_strings";
    public static final String CHAT_TEMPLATE_SYSTEM = "chat_template.system";
    public static final String CHAT_TEMPLATE_USER_PREFIX = "chat_template.user_prefix";
    public static final String CHAT_TEMPLATE_USER_SUFFIX = "chat_template.user_suffix";
    public static final String CHAT_TEMPLATE_ASSISTANT_PREFIX = "chat_template.assistant_prefix";
    public static final String CHAT_TEMPLATE_ASSISTANT_SUFFIX = "chat_template.assistant_suffix";
    public static final String CHAT_TEMPLATE_IMAGE_POSITION = "chat_template.image_position";
    /** Prefix of the composition prompts ({@code composition.write}, ...), read by composition-service. */
    public static final String COMPOSITION_PREFIX = "composition.";
    /** Optional JSON object: per composition step, the generation settings the model wants (docs/model-contract.md). */
    public static final String COMPOSITION_GENERATION = COMPOSITION_PREFIX + "generation";

    /** How the stream error message starts when the prompt alone does not fit into {@code context_length}. */
    public static final String CONTEXT_LENGTH_EXCEEDED_PREFIX = "context length exceeded:";

    /**
     * How a stream error message starts when the server refused the request's tensors or values (what ModelInfer
     * would answer with INVALID_ARGUMENT; streams carry no status code). Clients map it to an invalid-input error.
     */
    public static final String INVALID_INPUT_PREFIX = "invalid input:";

    /** The most beams a server must accept; more is INVALID_ARGUMENT (a 7B beam holds up to 1 GiB of KV cache). */
    public static final int MAX_NUM_BEAMS = 8;

    /** The most alternatives per token a server must report (OpenAI's {@code top_logprobs} limit). */
    public static final int MAX_TOP_LOGPROBS = 20;

    /** The range of {@link #PRESENCE_PENALTY} and {@link #FREQUENCY_PENALTY} (OpenAI's). */
    public static final float MAX_PENALTY = 2f;

    /** The llm's inputs as every repository declares them. */
    public static final List<TensorSpec> INPUTS = List.of(
            required(TEXT_INPUT, BYTES, "1"),
            optional(IMAGE_EMBEDS, FP32, "-1", IMAGE_TOKENS, HIDDEN_SIZE),
            optional(MAX_TOKENS, INT32, "1"),
            optional(TEMPERATURE, FP32, "1"),
            optional(TOP_P, FP32, "1"),
            optional(TOP_K, INT32, "1"),
            optional(REPETITION_PENALTY, FP32, "1"),
            optional(SEED, INT64, "1"),
            optional(STOP_WORDS, BYTES, "-1"),
            optional(NUM_BEAMS, INT32, "1"),
            optional(LENGTH_PENALTY, FP32, "1"),
            optional(PRESENCE_PENALTY, FP32, "1"),
            optional(FREQUENCY_PENALTY, FP32, "1"),
            optional(LOGPROBS, INT32, "1"));

    /** Inputs added to the contract after the 7B repository was written; see ContractRepositoriesTests. */
    public static final List<String> BEAM_INPUTS = List.of(NUM_BEAMS, LENGTH_PENALTY);

    public static final List<TensorSpec> OUTPUTS = List.of(
            required(TEXT_OUTPUT, BYTES, "1"),
            required(FINISH_REASON, BYTES, "1"),
            required(PROMPT_TOKENS, INT32, "1"),
            required(COMPLETION_TOKENS, INT32, "1"),
            required(TOKEN_BYTES, BYTES, "-1"),
            required(TOKEN_LOGPROBS, FP32, "-1"),
            required(TOP_TOKEN_BYTES, BYTES, "-1", "-1"),
            required(TOP_LOGPROBS, FP32, "-1", "-1"));

    /** The parameters every llm config must carry. */
    public static final List<String> REQUIRED_PARAMETERS = List.of(
            CONTEXT_LENGTH,
            DEFAULT_MAX_TOKENS,
            IMAGE_PLACEHOLDER,
            IMAGE_TOKENS,
            HIDDEN_SIZE,
            TOKENIZER,
            STOP_STRINGS,
            CHAT_TEMPLATE_USER_PREFIX,
            CHAT_TEMPLATE_USER_SUFFIX,
            CHAT_TEMPLATE_ASSISTANT_PREFIX,
            CHAT_TEMPLATE_ASSISTANT_SUFFIX,
            CHAT_TEMPLATE_IMAGE_POSITION);

    private LlmContract() {}

    /** The message of a context-length error: the contract's prefix, then the details. */
    public static String contextLengthExceeded(int promptTokens, int contextLength) {
        return CONTEXT_LENGTH_EXCEEDED_PREFIX + " prompt has " + promptTokens + " tokens, context_length is "
                + contextLength;
    }

    /** Whether a stream error message is the contract's context-length error. */
    public static boolean isContextLengthExceeded(String errorMessage) {
        return errorMessage.startsWith(CONTEXT_LENGTH_EXCEEDED_PREFIX);
    }

    /** Whether a stream error message says the request itself was invalid (context length included). */
    public static boolean isInvalidInput(String errorMessage) {
        return errorMessage.startsWith(INVALID_INPUT_PREFIX) || isContextLengthExceeded(errorMessage);
    }

    /** A stream error message for a refused request: the contract's prefix unless it has the context-length one. */
    public static String invalidInput(String message) {
        return isInvalidInput(message) ? message : INVALID_INPUT_PREFIX + " " + message;
    }

    /** The alternatives rule: 0 to {@link #MAX_TOP_LOGPROBS}. */
    public static void requireTopLogprobs(int alternatives) {
        if (alternatives < 0 || alternatives > MAX_TOP_LOGPROBS) {
            throw new IllegalArgumentException(
                    LOGPROBS + " must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + alternatives);
        }
    }

    /** The beam-count rule: 1 to {@link #MAX_NUM_BEAMS}. */
    public static void requireNumBeams(int numBeams) {
        if (numBeams < 1 || numBeams > MAX_NUM_BEAMS) {
            throw new IllegalArgumentException(
                    NUM_BEAMS + " must be between 1 and " + MAX_NUM_BEAMS + ", got " + numBeams);
        }
    }
}
