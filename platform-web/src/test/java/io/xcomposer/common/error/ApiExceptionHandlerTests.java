package io.xcomposer.common.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisLoadingException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.core.codec.DecodingException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.server.MethodNotAllowedException;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

class ApiExceptionHandlerTests {

    private final ObjectMapper json = JsonMapper.builder().build();

    private final ApiExceptionHandler handler = new ApiExceptionHandler(this.json);

    @Test
    void rendersApiExceptionsWithRetryAfter() {
        MockServerWebExchange exchange = handle(ApiException.unavailable(Duration.ofMillis(1500), "Busy."));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("2");
        JsonNode error = body(exchange).get("error");
        assertThat(error.get("message").asString()).isEqualTo("Busy.");
        assertThat(error.get("type").asString()).isEqualTo("service_unavailable_error");
        assertThat(error.get("code").asString()).isEqualTo("server_is_overloaded");
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("param").isNull()).isTrue();
    }

    @Test
    void redisOutagesAre503RedisUnavailableButRedisErrorRepliesAreBugs() {
        for (Throwable outage : List.<Throwable>of(
                new RedisConnectionFailureException("Unable to connect"),
                new RedisSystemException(
                        "wrapped", new RedisException("Currently not connected. Commands are rejected.")),
                new QueryTimeoutException("Redis command timed out"),
                // a restarted Redis answers -LOADING until its append-only file is read back
                new RedisSystemException(
                        "wrapped", new RedisLoadingException("LOADING Redis is loading the dataset in memory")),
                new RedisSystemException(
                        "wrapped", new RedisCommandExecutionException("CLUSTERDOWN The cluster is down")))) {
            MockServerWebExchange exchange = handle(outage);
            assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(exchange.getResponse().getHeaders().getFirst("Retry-After"))
                    .isEqualTo("2");
            assertThat(body(exchange).at("/error/code").asString()).isEqualTo("redis_unavailable");
        }
        MockServerWebExchange bug = handle(new RedisSystemException(
                "wrapped",
                new RedisCommandExecutionException(
                        "WRONGTYPE Operation against a key holding the wrong kind of value")));
        assertThat(bug.getResponse().getStatusCode()).isEqualTo(HttpStatus.INTERNAL_SERVER_ERROR);
    }

    @Test
    void malformedJsonIsABadRequestWithTheParserReason() {
        Throwable parseError = catchThrowable(() -> this.json.readTree("{\"messages\": [}"));
        ServerWebInputException input = new ServerWebInputException(
                "Failed to read HTTP message", null, new DecodingException("JSON decoding error", parseError));

        JsonNode error = body(handle(input)).get("error");

        assertThat(error.get("code").asString()).isEqualTo("invalid_json");
        assertThat(error.get("message").asString())
                .startsWith("The request body is not valid JSON: ")
                .contains("line 1");
    }

    @Test
    void wrongTypesNameTheField() {
        record Body(double temperature) {}
        Throwable typeError = catchThrowable(() -> this.json.readValue("{\"temperature\": \"hot\"}", Body.class));
        ServerWebInputException input = new ServerWebInputException(
                "Failed to read HTTP message", null, new DecodingException("JSON decoding error", typeError));

        MockServerWebExchange exchange = handle(input);

        JsonNode error = body(exchange).get("error");
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(error.get("message").asString()).isEqualTo("Invalid type for 'temperature': expected a number.");
        assertThat(error.get("param").asString()).isEqualTo("temperature");
    }

    @Test
    void aWrongMethodIs405WithAllow() {
        MockServerWebExchange exchange = handle(new MethodNotAllowedException(HttpMethod.GET, Set.of(HttpMethod.POST)));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
        assertThat(exchange.getResponse().getHeaders().getFirst("Allow")).isEqualTo("POST");
        JsonNode error = body(exchange).get("error");
        assertThat(error.get("code").asString()).isEqualTo("method_not_allowed");
        assertThat(error.get("message").asString()).isEqualTo("Method GET is not allowed here; use POST.");
    }

    @Test
    void anUnknownRouteIs404WithoutTheInternalUrl() {
        JsonNode error = body(handle(new NoResourceFoundException(
                        URI.create("http://127.0.0.1:8081/v1/images/img_0123"), "v1/images/img_0123")))
                .get("error");

        assertThat(error.get("code").asString()).isEqualTo("not_found");
        assertThat(error.toString()).doesNotContain("127.0.0.1").doesNotContain("8081");
    }

    @Test
    void unexpectedFailuresAre500WithoutInternals() {
        JsonNode error = body(handle(new IllegalStateException("secret internal detail")))
                .get("error");

        assertThat(error.get("type").asString()).isEqualTo("server_error");
        assertThat(error.get("message").asString()).doesNotContain("secret");
        assertThat(ApiErrors.isUnexpected(new IllegalStateException())).isTrue();
        assertThat(ApiErrors.isUnexpected(ApiException.badRequest("x", "y"))).isFalse();
    }

    @Test
    void failuresOfOtherLibrariesAreMappedByTheRegisteredMappers() {
        // TeapotMapper is registered in this module's test META-INF/services, as platform-common registers its own.
        MockServerWebExchange exchange = handle(new TeapotMapper.Teapot());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.I_AM_A_TEAPOT);
        assertThat(body(exchange).at("/error/code").asString()).isEqualTo("teapot");
        assertThat(ApiErrors.isUnexpected(new TeapotMapper.Teapot())).isFalse();
    }

    private MockServerWebExchange handle(Throwable error) {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/v1/chat/completions"));
        this.handler.handle(exchange, error).block(Duration.ofSeconds(5));
        return exchange;
    }

    private JsonNode body(MockServerWebExchange exchange) {
        return this.json.readTree(exchange.getResponse().getBodyAsString().block(Duration.ofSeconds(5)));
    }
}
