package io.xcomposer.comprehension.chat;

import static io.xcomposer.comprehension.support.Chat.image;
import static io.xcomposer.comprehension.support.Chat.text;
import static io.xcomposer.comprehension.support.Chat.user;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.xcomposer.comprehension.support.Chat;
import io.xcomposer.comprehension.support.HeldOut;
import io.xcomposer.comprehension.support.IntegrationTest;
import io.xcomposer.comprehension.support.RedirectingServer;
import io.xcomposer.comprehension.support.TestEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every kind of bad input gets its intended 4xx in the platform's error shape with a clear message, nothing is
 * logged at ERROR, and the service answers a good request right afterwards.
 */
@IntegrationTest
class BadInputIntegrationTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Autowired
    private WebTestClient client;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeEach
    void captureLogs() {
        this.logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(this.logs);
    }

    @AfterEach
    void releaseLogs() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(this.logs);
    }

    static Stream<Arguments> badRequests() throws IOException {
        String png = HeldOut.dataUrl(HeldOut.image("00060-0.png"));
        byte[] pngBytes = Files.readAllBytes(HeldOut.image("00060-0.png"));
        return Stream.of(
                arguments("malformed JSON", "{\"messages\": [", 400, "invalid_json", null),
                arguments(
                        "temperature of the wrong type",
                        body(Map.of("temperature", "hot")),
                        400,
                        "invalid_type",
                        "temperature"),
                arguments("messages not an array", "{\"messages\": \"hello\"}", 400, "invalid_type", "messages"),
                arguments("no messages", "{}", 400, "invalid_value", "messages"),
                arguments("empty messages", "{\"messages\": []}", 400, "invalid_value", "messages"),
                arguments(
                        "empty user content",
                        json(Map.of("messages", List.of(Map.of("role", "user", "content", "")))),
                        400,
                        "invalid_value",
                        "messages[0].content"),
                arguments(
                        "unknown role",
                        json(Map.of("messages", List.of(Map.of("role", "tool", "content", "x")))),
                        400,
                        "invalid_value",
                        "messages[0].role"),
                arguments(
                        "last message from the assistant",
                        json(Map.of(
                                "messages",
                                List.of(
                                        Map.of("role", "user", "content", "Hi"),
                                        Map.of("role", "assistant", "content", "Hello")))),
                        400,
                        "invalid_value",
                        "messages"),
                arguments(
                        "unsupported content part",
                        body(Map.of(), user(Map.of("type", "input_audio"))),
                        400,
                        "invalid_value",
                        "messages[0].content[0].type"),
                arguments(
                        "temperature out of range",
                        body(Map.of("temperature", 3)),
                        400,
                        "invalid_value",
                        "temperature"),
                arguments("top_p of zero", body(Map.of("top_p", 0)), 400, "invalid_value", "top_p"),
                arguments("max_tokens of zero", body(Map.of("max_tokens", 0)), 400, "invalid_value", "max_tokens"),
                arguments("n above the maximum", body(Map.of("n", 5)), 400, "invalid_value", "n"),
                arguments("num_beams of zero", body(Map.of("num_beams", 0)), 400, "invalid_value", "num_beams"),
                arguments("num_beams above 8", body(Map.of("num_beams", 9)), 400, "invalid_value", "num_beams"),
                arguments(
                        "beams with sampling, refused by the model server",
                        body(Map.of("num_beams", 2, "temperature", 0.7)),
                        400,
                        "invalid_model_input",
                        null),
                arguments(
                        "five stop sequences",
                        body(Map.of("stop", List.of("a", "b", "c", "d", "e"))),
                        400,
                        "invalid_value",
                        "stop"),
                arguments(
                        "oversized image",
                        withImage(dataUrl(new byte[TestEnvironment.MAX_IMAGE_BYTES + 4096])),
                        413,
                        "image_too_large",
                        "messages[0].content[0]"),
                arguments("pixel bomb", withImage(dataUrl(pixelBomb())), 413, "image_too_large", null),
                arguments(
                        "truncated PNG",
                        withImage(dataUrl(Arrays.copyOf(pngBytes, pngBytes.length / 2))),
                        400,
                        "invalid_image",
                        null),
                arguments(
                        "bytes that are no image",
                        withImage(dataUrl("hello, world".getBytes(StandardCharsets.UTF_8))),
                        400,
                        "unsupported_image_format",
                        null),
                arguments("unsupported format (BMP)", withImage(dataUrl(bmp())), 400, "unsupported_image_format", null),
                arguments(
                        "data URL that is not base64",
                        withImage("data:image/png;base64,@@@not-base64@@@"),
                        400,
                        "invalid_base64",
                        "messages[0].content[0]"),
                arguments(
                        "data URL of a non-image type",
                        withImage("data:text/plain;base64,aGVsbG8="),
                        400,
                        "unsupported_image_format",
                        "messages[0].content[0]"),
                arguments(
                        "plain http URL",
                        withImage("http://example.com/cat.png"),
                        400,
                        "image_url_forbidden",
                        "messages[0].content[0]"),
                arguments(
                        "loopback URL",
                        withImage("https://127.0.0.1/cat.png"),
                        400,
                        "image_url_forbidden",
                        "messages[0].content[0]"),
                arguments(
                        "private-network URL", withImage("https://10.0.0.5/cat.png"), 400, "image_url_forbidden", null),
                arguments(
                        "cloud metadata URL",
                        withImage("https://169.254.169.254/latest/meta-data/"),
                        400,
                        "image_url_forbidden",
                        null),
                arguments(
                        "redirect to loopback",
                        withImage(RedirectingServer.get().origin() + "/cat.png"),
                        400,
                        "image_url_forbidden",
                        null),
                arguments("too many images", body(Map.of(), user(nineImages(png))), 400, "too_many_images", "messages"),
                arguments(
                        "prompt over the context",
                        body(Map.of(), user(text("Describe the shapes. ".repeat(300)))),
                        400,
                        "context_length_exceeded",
                        "messages"),
                arguments(
                        "unknown image id",
                        withImage("img_000000000000000000000000"),
                        404,
                        "image_not_found",
                        "messages[0].content[0]"),
                arguments("malformed image id", withImage("img_../../etc/passwd"), 400, "invalid_image_id", null),
                arguments(
                        "unknown conversation",
                        body(Map.of("conversation_id", "conv_" + "0".repeat(32))),
                        404,
                        "conversation_not_found",
                        "conversation_id"));
    }

    @ParameterizedTest(name = "{0} → {2} {3}")
    @MethodSource("badRequests")
    void answersBadInputWithItsStatusAndKeepsServing(String what, String body, int status, String code, String param) {
        JsonNode error = this.client
                .post()
                .uri("/v1/chat/completions")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .exists("X-Request-Id")
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody()
                .get("error");

        assertThat(error.get("code").asString()).isEqualTo(code);
        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("message").asString()).hasSizeGreaterThan(20).doesNotContain("Exception");
        assertThat(error.has("param")).isTrue();
        if (param != null) {
            assertThat(error.get("param").asString()).isEqualTo(param);
        }
        assertThat(this.logs.list)
                .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
                .isEmpty();
        assertThat(RedirectingServer.get().targetHits())
                .as("the redirect target was never contacted")
                .isZero();
        assertThat(Chat.answer(Chat.complete(this.client, Chat.request(null, user(text("Hello"))))))
                .isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("protocolErrors")
    void answersProtocolErrorsInTheErrorShape(String what, String method, MediaType type, int status) {
        JsonNode error = this.client
                .method(HttpMethod.valueOf(method))
                .uri("/v1/chat/completions")
                .contentType(type)
                .bodyValue("{}")
                .exchange()
                .expectStatus()
                .isEqualTo(status)
                .expectBody(JsonNode.class)
                .returnResult()
                .getResponseBody();

        assertThat(error.at("/error/message").asString()).isNotBlank();
        assertThat(this.logs.list)
                .filteredOn(event -> event.getLevel().isGreaterOrEqual(Level.ERROR))
                .isEmpty();
    }

    static Stream<Arguments> protocolErrors() {
        return Stream.of(
                arguments("wrong content type", "POST", MediaType.TEXT_PLAIN, 415),
                arguments("wrong method", "PUT", MediaType.APPLICATION_JSON, 405));
    }

    private static String body(Map<String, Object> fields, Map<String, Object>... messages) {
        Map<String, Object> body = Chat.request(null, messages.length == 0 ? new Map[] {user(text("Hi"))} : messages);
        body.putAll(fields);
        return json(body);
    }

    private static String withImage(String url) {
        return body(Map.of(), user(image(url), text("What is in this picture?")));
    }

    private static Object[] nineImages(String url) {
        List<Object> parts = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            parts.add(image(url));
        }
        parts.add(text("Which image shows a red star?"));
        return parts.toArray();
    }

    private static String dataUrl(byte[] bytes) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    /** A valid PNG header claiming 60000 × 60000 pixels, with almost no data behind it. */
    private static byte[] pixelBomb() throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream fields = new DataOutputStream(ihdr);
        fields.writeInt(60000);
        fields.writeInt(60000);
        fields.write(new byte[] {8, 2, 0, 0, 0});
        chunk(png, "IHDR", ihdr.toByteArray());
        chunk(png, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01});
        chunk(png, "IEND", new byte[0]);
        return png.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
        DataOutputStream out = new DataOutputStream(png);
        out.writeInt(data.length);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.write(typeBytes);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    private static byte[] bmp() {
        byte[] bmp = new byte[70];
        bmp[0] = 'B';
        bmp[1] = 'M';
        return bmp;
    }
}
