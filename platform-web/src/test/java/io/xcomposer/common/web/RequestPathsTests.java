package io.xcomposer.common.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTests {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1/models",
                "/v1;a/models",
                "/v1/models;a=b",
                "/v1%2Fmodels",
                "/v1%2fmodels",
                "/v1%252Fmodels",
                "/V1/Models",
                "//v1/models",
                "/v1//models/",
                "/v1/./models",
                "/./v1/models",
                "/v1/x/../models",
                "/v1/%2e/models",
                "/v1/%6Dodels",
                "/v1\\models",
                "/v1;jsessionid=1/models",
                "/../v1/models"
            })
    void everySpellingNormalizesToTheRoutersPath(String raw) {
        assertThat(RequestPaths.normalized(raw)).isEqualTo("/v1/models");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/v1;a/models",
                "/v1%2Fmodels",
                "//v1/models",
                "/v1/models/",
                "/v1/./models",
                "/v1/x/../models",
                "/v1\\models",
                "v1/models",
                "",
                "/v1/mo dels",
                "/v1/modèls"
            })
    void onlyThePlainSpellingIsPlain(String raw) {
        assertThat(RequestPaths.isPlain(raw)).isFalse();
        assertThat(RequestPaths.isPlain("/v1/models")).isTrue();
        assertThat(RequestPaths.isPlain("/")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/%zz", "/v1/%", "/v1/%E0%A4%A"})
    void brokenEscapesAreNeverPlain(String raw) {
        assertThat(RequestPaths.isPlain(raw)).isFalse();
        assertThat(RequestPaths.normalized(raw)).startsWith("/v1").doesNotContain("//");
    }
}
