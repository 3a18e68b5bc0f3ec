package io.xcomposer.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Usage tokens out of completions, chunks and embeddings responses, and the usage-only chunk. */
class UsageTests {

    private final JsonMapper mapper = JsonMapper.builder().build();

    @Test
    void totalTokens_prefersTotal_elseAddsPromptAndCompletion() {
        assertThat(Usage.totalTokens(
                        mapper, "{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":9}}"))
                .isEqualTo(9);
        assertThat(Usage.totalTokens(
                        mapper, "{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}"))
                .isEqualTo(7);
        assertThat(Usage.totalTokens(mapper, "{\"object\":\"list\",\"usage\":{\"prompt_tokens\":5}}"))
                .as("embeddings report prompt tokens only")
                .isEqualTo(5);
    }

    @Test
    void totalTokens_isMinusOne_withoutAUsageObject() {
        assertThat(Usage.totalTokens(mapper, "{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}"))
                .isEqualTo(-1);
        assertThat(Usage.totalTokens(mapper, "{\"usage\":null}")).isEqualTo(-1);
        assertThat(Usage.totalTokens(mapper, "{\"usage\":12}")).isEqualTo(-1);
        assertThat(Usage.totalTokens(mapper, "{\"usage\":{\"total_tokens\":"))
                .as("cut off")
                .isEqualTo(-1);
        assertThat(Usage.totalTokens(mapper, "[DONE]")).isEqualTo(-1);
        assertThat(Usage.totalTokens(mapper, "{\"choices\":[{\"delta\":{\"content\":\"\\\"usage\\\"\"}}]}"))
                .as("the word in the content, not a field")
                .isEqualTo(-1);
    }

    @Test
    void isUsageOnlyChunk_onlyForEmptyChoicesWithUsage() {
        assertThat(Usage.isUsageOnlyChunk(mapper, "{\"choices\":[],\"usage\":{\"total_tokens\":9}}"))
                .isTrue();
        assertThat(Usage.isUsageOnlyChunk(mapper, "{\"choices\":[{\"delta\":{}}],\"usage\":{\"total_tokens\":9}}"))
                .isFalse();
        assertThat(Usage.isUsageOnlyChunk(mapper, "{\"choices\":[]}")).isFalse();
        assertThat(Usage.isUsageOnlyChunk(mapper, "{\"choices\":[],\"usage\":")).isFalse();
    }
}
