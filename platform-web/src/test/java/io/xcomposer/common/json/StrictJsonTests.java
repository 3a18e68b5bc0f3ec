package io.xcomposer.common.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.xcomposer.common.error.ApiErrors;
import io.xcomposer.common.error.ApiException;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.annotation.JsonNaming;
import tools.jackson.databind.json.JsonMapper;

/** Strict JSON types and how their failures reach the client: as WebFlux's codecs hand them to ApiErrors. */
class StrictJsonTests {

    private final JsonMapper json = StrictJson.mapper();

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Body(
            @Nullable String title,
            @Nullable Integer maxTokens,
            @Nullable Long seed,
            @Nullable Double temperature,
            @Nullable Boolean stream,
            @Nullable List<String> userImages,
            int count) {}

    @Test
    void aNumberWhereAStringBelongsIsAnInvalidType() {
        ApiException error = read("{\"title\": 42}");

        assertThat(error.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(error.code()).isEqualTo("invalid_type");
        assertThat(error.param()).isEqualTo("title");
        assertThat(error.getMessage()).isEqualTo("Invalid type for 'title': expected a string.");
    }

    @Test
    void noScalarIsConvertedToAnotherType() {
        assertThat(read("{\"title\": true}").param()).isEqualTo("title");
        assertThat(read("{\"title\": 4.5}").param()).isEqualTo("title");
        assertThat(read("{\"max_tokens\": \"5\"}").code()).isEqualTo("invalid_type");
        assertThat(read("{\"max_tokens\": 1.5}").getMessage())
                .contains("'max_tokens'")
                .contains("an integer");
        assertThat(read("{\"stream\": 1}").param()).isEqualTo("stream");
        assertThat(read("{\"stream\": \"true\"}").param()).isEqualTo("stream");
        assertThat(read("{\"temperature\": \"0.5\"}").param()).isEqualTo("temperature");
        assertThat(read("{\"user_images\": [\"img_a\", 7]}").param()).isEqualTo("user_images[1]");
        assertThat(read("{\"count\": null}").param()).isEqualTo("count");
    }

    @Test
    void anIntegerWhereADecimalBelongsIsFine() {
        Body body = this.json.readValue("{\"temperature\": 1, \"max_tokens\": 7, \"count\": 2}", Body.class);

        assertThat(body.temperature()).isEqualTo(1.0);
        assertThat(body.maxTokens()).isEqualTo(7);
    }

    @Test
    void anOverflowingNumberIsAnInvalidValueOnItsParam() {
        for (String value : List.of("1e12", "99999999999", "-3000000000", "1.0E10")) {
            ApiException error = read("{\"max_tokens\": " + value + "}");

            assertThat(error.code()).as(value).isEqualTo("invalid_value");
            assertThat(error.param()).as(value).isEqualTo("max_tokens");
            assertThat(error.getMessage()).as(value).contains("out of range");
        }
        assertThat(read("{\"seed\": 1e30}").code()).isEqualTo("invalid_value");
        assertThat(read("{\"seed\": 1e30}").param()).isEqualTo("seed");
    }

    @Test
    void brokenJsonIsStillInvalidJson() {
        assertThat(read("{\"max_tokens\": 12,").code()).isEqualTo("invalid_json");
    }

    @Test
    void bindingErrorsNameTheJsonField() {
        assertThat(ApiErrors.jsonName("maxParagraphs")).isEqualTo("max_paragraphs");
        assertThat(ApiErrors.jsonName("items[0].imageBase64")).isEqualTo("items[0].image_base64");
        assertThat(ApiErrors.jsonName("title")).isEqualTo("title");
    }

    private ApiException read(String body) {
        Throwable failure = catchThrowable(() -> this.json.readValue(body, Body.class));
        assertThat(failure).as(body).isNotNull();
        return ApiErrors.toApiException(new ServerWebInputException(
                "Failed to read HTTP message", null, new DecodingException("JSON decoding error", failure)));
    }
}
