package io.xcomposer.gateway.support;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A loopback HTTP test double for the three downstream services, speaking their wire formats: OpenAI chat
 * completions (JSON and SSE, tokens at a fixed rate, text derived from {@code seed}), image upload, composition
 * create + events, gallery image content and embeddings. It counts generations and cancellations and records the
 * request ids it saw, so tests can check what reached "the model". A hand-written Reactor Netty server rather than
 * OkHttp's MockWebServer: the tests check that a client's disconnect reaches "the model" by counting the streams the
 * gateway cancelled mid-answer, which a MockResponse does not report, and the benchmark runs hundreds of paced
 * streams on it.
 */
public final class DownstreamDouble implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] WORDS = {
        "red",
        "square",
        "blue",
        "circle",
        "two",
        "shapes",
        "green",
        "star",
        "top",
        "left",
        "large",
        "small",
        "triangle",
        "bottom",
        "right",
        "yellow"
    };

    public final AtomicInteger generations = new AtomicInteger();
    public final AtomicInteger cancellations = new AtomicInteger();
    public final AtomicInteger completedStreams = new AtomicInteger();
    public final List<String> requestIds = new CopyOnWriteArrayList<>();
    public final List<String> chatBodies = new CopyOnWriteArrayList<>();
    public volatile int tokens = 30;
    public volatile Duration tokenDelay = Duration.ofMillis(10);

    /**
     * Event loops of its own: on Reactor Netty's global ones, a gateway or service context closed in the same JVM
     * (they dispose the global resources) would take the double down with it.
     */
    private final LoopResources loops = LoopResources.create("downstream-double");

    private final DisposableServer server;
    private final byte[] png = png();

    public DownstreamDouble() {
        this.server = HttpServer.create()
                .runOn(loops)
                .host("127.0.0.1")
                .port(0)
                .route(
                        routes -> routes.post("/v1/chat/completions", this::chat)
                                // comprehension's model card: the tiny model's own context length
                                .get(
                                        "/v1/models",
                                        (request, response) -> json(
                                                response,
                                                200,
                                                "{\"object\":\"list\",\"data\":[{\"id\":\"xcomposer-tiny\","
                                                        + "\"object\":\"model\",\"context_length\":512,"
                                                        + "\"max_model_len\":512}]}"))
                                .post(
                                        "/v1/images",
                                        (request, response) -> request.receive()
                                                .then()
                                                .then(
                                                        json(
                                                                response,
                                                                201,
                                                                "{\"id\":\"img_00112233445566778899aabb\",\"object\":\"image\"}")))
                                .post(
                                        "/v1/compositions",
                                        (request, response) -> request.receive()
                                                .then()
                                                .then(json(
                                                        response,
                                                        201,
                                                        "{\"id\":\"cmp_test1\",\"status\":\"running\"}")))
                                .get("/v1/compositions/{id}/events", this::compositionEvents)
                                .get(
                                        "/v1/gallery/images/{id}/content",
                                        (request, response) -> response.header("content-type", "image/png")
                                                .sendByteArray(Mono.just(png))
                                                .then())
                                .post(
                                        "/v1/gallery/embeddings",
                                        (request, response) -> request.receive()
                                                .aggregate()
                                                .asString()
                                                .flatMap(body -> json(response, 200, embeddings(body))))
                                // Anything else: 404 after reading the body. Answering without reading it leaves the
                                // rest of
                                // the request on the keep-alive connection, and the next request on it goes unanswered.
                                .route(
                                        request -> true,
                                        (request, response) -> request.receive()
                                                .then()
                                                .then(
                                                        json(
                                                                response,
                                                                404,
                                                                "{\"error\":{\"message\":\"no such route\","
                                                                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"not_found\"}}"))))
                .bindNow(Duration.ofSeconds(10));
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The text a generation with {@code seed} produces, joined — what an uninterrupted stream carries. */
    public String expectedText(long seed, int count) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return text.toString();
    }

    private Mono<Void> chat(HttpServerRequest request, HttpServerResponse response) {
        String requestId = request.requestHeaders().get("X-Request-Id");
        if (requestId != null) {
            requestIds.add(requestId);
        }
        return request.receive().aggregate().asString().flatMap(body -> {
            JsonNode root = JSON.readTree(body);
            chatBodies.add(body);
            if (body.contains("please-fail-400")) {
                return json(
                        response,
                        400,
                        "{\"error\":{\"message\":\"Invalid 'temperature': must be <= 2.\","
                                + "\"type\":\"invalid_request_error\",\"param\":\"temperature\",\"code\":\"invalid_value\"}}");
            }
            generations.incrementAndGet();
            long seed = root.path("seed").asLong(7);
            int count = root.path("max_completion_tokens")
                    .asInt(root.path("max_tokens").asInt(tokens));
            boolean includeUsage =
                    root.path("stream_options").path("include_usage").asBoolean(false);
            if (!root.path("stream").asBoolean(false)) {
                String completion = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\""
                        + root.path("model").asString() + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\""
                        + expectedText(seed, count).trim() + "\"},\"finish_reason\":"
                        + "\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":" + count
                        + ",\"total_tokens\":" + (5 + count) + "}}";
                return json(response, 200, completion);
            }
            return response.status(200)
                    .header("content-type", "text/event-stream")
                    .sendString(chunks(seed, count, includeUsage)
                            .doOnCancel(cancellations::incrementAndGet)
                            .doOnComplete(completedStreams::incrementAndGet))
                    .then();
        });
    }

    private Flux<String> chunks(long seed, int count, boolean includeUsage) {
        Random random = new Random(seed);
        String head =
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"xcomposer-tiny\","
                        + "\"conversation_id\":\"conv_0123456789abcdef0123456789abcdef\",";
        Flux<String> first =
                Flux.just(head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
                        + "\"finish_reason\":null}]}");
        Flux<String> words = Flux.range(0, count)
                .delayElements(tokenDelay)
                .map(i -> head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
                        + WORDS[random.nextInt(WORDS.length)] + " \"},\"finish_reason\":null}]}");
        Flux<String> last = Flux.just(head + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}");
        Flux<String> usage = includeUsage
                ? Flux.just(head + "\"choices\":[],\"usage\":{\"prompt_tokens\":5," + "\"completion_tokens\":" + count
                        + ",\"total_tokens\":" + (5 + count) + "}}")
                : Flux.empty();
        return Flux.concat(first, words, last, usage, Flux.just("[DONE]")).map(data -> "data: " + data + "\n\n");
    }

    private Mono<Void> compositionEvents(HttpServerRequest request, HttpServerResponse response) {
        List<Map.Entry<String, String>> events = List.of(
                Map.entry("text_delta", "{\"paragraph\":0,\"text\":\"Shapes are \"}"),
                Map.entry("text_delta", "{\"paragraph\":0,\"text\":\"everywhere.\"}"),
                Map.entry("paragraph_done", "{\"paragraph\":0,\"text\":\"Shapes are everywhere.\"}"),
                Map.entry("text_delta", "{\"paragraph\":1,\"text\":\"A red square sits on top.\"}"),
                Map.entry("paragraph_done", "{\"paragraph\":1,\"text\":\"A red square sits on top.\"}"),
                Map.entry("slots_chosen", "{\"paragraphs\":[0]}"),
                Map.entry("slot_caption", "{\"paragraph\":0,\"caption\":\"a red square\"}"),
                Map.entry(
                        "image_selected",
                        "{\"paragraph\":0,\"candidate\":0,\"selection\":\"model\",\"image\":"
                                + "{\"id\":\"g1\",\"source\":\"gallery\",\"caption\":\"a red square\","
                                + "\"url\":\"/v1/gallery/images/g1/content\",\"score\":0.9}}"),
                Map.entry("done", "{\"status\":\"completed\"}"));
        Flux<String> frames = Flux.range(0, events.size())
                .delayElements(Duration.ofMillis(150))
                .map(i -> "id: " + (i + 1) + "\nevent: " + events.get(i).getKey() + "\ndata: "
                        + events.get(i).getValue() + "\n\n");
        return response.status(200)
                .header("content-type", "text/event-stream")
                .sendString(frames)
                .then();
    }

    private static String embeddings(String body) {
        JsonNode root = JSON.readTree(body);
        int count = root.has("input")
                ? root.path("input").size()
                : root.path("images").size();
        StringBuilder data = new StringBuilder("{\"data\":[");
        for (int i = 0; i < count; i++) {
            data.append(i == 0 ? "" : ",")
                    .append("{\"embedding\":[0.6,0.8,")
                    .append(i)
                    .append(".0]}");
        }
        return data.append("],\"model\":\"clip-tiny\"}").toString();
    }

    private static Mono<Void> json(HttpServerResponse response, int status, String body) {
        return response.status(HttpResponseStatus.valueOf(status))
                .header("content-type", "application/json")
                .sendString(Mono.just(body))
                .then();
    }

    private static byte[] png() {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 64, 64);
        g.setColor(Color.RED);
        g.fillRect(8, 8, 24, 24);
        g.dispose();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        loops.disposeLater().block(Duration.ofSeconds(5));
    }
}
