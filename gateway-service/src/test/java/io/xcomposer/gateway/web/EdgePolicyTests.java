package io.xcomposer.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;

/** The route table of the edge policies: body limit, request rate, token budget. */
class EdgePolicyTests {

    @Test
    void theCallsThatSpendTokens_getTheBudget_chatAlsoTheLargeBody() {
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/chat/completions")).isEqualTo(new EdgePolicy(true, true, true));
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/compositions")).isEqualTo(new EdgePolicy(false, true, true));
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/embeddings")).isEqualTo(new EdgePolicy(false, true, true));
    }

    @Test
    void otherMethodsAndSubpaths_spendNoTokens() {
        assertThat(EdgePolicy.of(HttpMethod.GET, "/v1/chat/completions")).isEqualTo(new EdgePolicy(true, true, false));
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/compositions/c1/edits")).isEqualTo(EdgePolicy.DEFAULT);
        assertThat(EdgePolicy.of(HttpMethod.GET, "/v1/compositions")).isEqualTo(EdgePolicy.DEFAULT);
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/images")).isEqualTo(EdgePolicy.DEFAULT);
        assertThat(EdgePolicy.of(HttpMethod.GET, "/v1/models")).isEqualTo(EdgePolicy.DEFAULT);
    }

    @Test
    void streamResumes_areExemptFromTheRequestRate() {
        assertThat(EdgePolicy.of(HttpMethod.GET, "/v1/streams/strm_1").requestRate())
                .isFalse();
    }

    @Test
    void oddSpellings_getThePoliciesOfTheirNormalizedPath() {
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1//chat/./completions"))
                .isEqualTo(new EdgePolicy(true, true, true));
        assertThat(EdgePolicy.of(HttpMethod.POST, "/v1/%63hat/completions"))
                .isEqualTo(new EdgePolicy(true, true, true));
    }
}
