package io.xcomposer.comprehension.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.xcomposer.common.error.ApiException;
import io.xcomposer.comprehension.config.ComprehensionProperties;
import io.xcomposer.comprehension.support.TinySpecs;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAI options the model cannot honour are refused by name, one test each; the harmless forms front ends send
 * by default (Open WebUI, LibreChat, the SDKs) pass.
 */
class OpenAiOptionsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChatRequestParser parser = new ChatRequestParser(
            new ComprehensionProperties(
                    "xcomposer",
                    "llm",
                    "vision_encoder",
                    Duration.ofSeconds(120),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(15),
                    8,
                    DataSize.ofMegabytes(20),
                    40_000_000,
                    4),
            TinySpecs.withContext(512));

    static Stream<Arguments> refused() {
        return Stream.of(
                arguments("tools", "[{'type':'function','function':{'name':'f','parameters':{}}}]", "tool"),
                arguments("tool_choice", "'auto'", "tool"),
                arguments("tool_choice", "{'type':'function','function':{'name':'f'}}", "tool"),
                arguments("functions", "[{'name':'f','parameters':{}}]", "function"),
                arguments("function_call", "'auto'", "function"),
                arguments("response_format", "{'type':'json_object'}", "JSON"),
                arguments("response_format", "{'type':'json_schema','json_schema':{'name':'x','schema':{}}}", "JSON"),
                arguments("logit_bias", "{'50256':-100}", "bias"),
                arguments("modalities", "['text','audio']", "text"),
                arguments("audio", "{'voice':'alloy','format':'wav'}", "audio"),
                arguments("prediction", "{'type':'content','content':'x'}", "predicted"),
                arguments("web_search_options", "{}", "web search"),
                arguments("logprobs", "true,'num_beams':2", "beam search"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("refused")
    void unsupportedOptionIsA400NamingIt(String param, String value, String explained) {
        assertThatThrownBy(() -> parse("'" + param + "':" + value))
                .isInstanceOfSatisfying(ApiException.class, error -> {
                    assertThat(error.status().value()).isEqualTo(400);
                    assertThat(error.param()).isEqualTo(param);
                    assertThat(error.code()).isEqualTo("unsupported_parameter");
                    assertThat(error.getMessage()).contains("'" + param + "'").contains(explained);
                });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "'user':'librechat-user-1'",
                "'presence_penalty':0,'frequency_penalty':0",
                "'tools':[]",
                "'tool_choice':'none'",
                "'parallel_tool_calls':false",
                "'response_format':{'type':'text'}",
                "'logit_bias':{}",
                "'modalities':['text']",
                "'store':false",
                "'metadata':{'app':'x'}",
                "'service_tier':'auto'",
                "'stream':true,'stream_options':{'include_usage':true}",
                "'temperature':1,'top_p':1,'audio':null,'prediction':null",
                "'presence_penalty':0.6,'frequency_penalty':-1.5",
                "'logprobs':false",
                "'logprobs':true,'top_logprobs':20"
            })
    void harmlessFieldsFrontEndsSendAreAccepted(String fields) {
        assertThat(parse(fields).turns()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"presence_penalty", "frequency_penalty"})
    void penaltiesOutsideOpenAisRangeAreInvalidValues(String param) {
        assertThatThrownBy(() -> parse("'" + param + "':2.5")).isInstanceOfSatisfying(ApiException.class, error -> {
            assertThat(error.param()).isEqualTo(param);
            assertThat(error.code()).isEqualTo("invalid_value");
        });
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"'top_logprobs':2", "'logprobs':true,'top_logprobs':21", "'logprobs':true,'top_logprobs':-1"})
    void topLogprobsNeedLogprobsAndAtMostTwenty(String fields) {
        assertThatThrownBy(() -> parse(fields)).isInstanceOfSatisfying(ApiException.class, error -> {
            assertThat(error.param()).isEqualTo("top_logprobs");
            assertThat(error.code()).isEqualTo("invalid_value");
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"'logprobs':true", "'logprobs':true,'top_logprobs':0"})
    void logprobsWithoutAlternativesAskTheServerForZero(String fields) {
        assertThat(parse(fields).sampling().logprobs()).isZero();
        assertThat(parse("'logprobs':true,'top_logprobs':5").sampling().logprobs())
                .isEqualTo(5);
        assertThat(parse("'logprobs':false").sampling().logprobs()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"max_tokens", "max_completion_tokens"})
    void aLimitBeyondTheContextMeansAsManyAsFit(String param) {
        ChatCommand command = parse("'" + param + "':1000");

        assertThat(command.sampling().maxTokens()).isEqualTo(1000); // the server clips it to what the prompt leaves
        assertThat(command.reservedTokens()).isEqualTo(512 / 8); // an eighth of the context, at most the default
        assertThat(parse("'" + param + "':100").reservedTokens()).isEqualTo(100);
    }

    private ChatCommand parse(String fields) {
        String json = ("{'messages':[{'role':'user','content':'Hi'}]," + fields + "}").replace('\'', '"');
        return this.parser.parse(JSON.readValue(json, ChatCompletionRequest.class));
    }
}
