package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.xcomposer.gateway.auth.ApiKeyStore;
import io.xcomposer.gateway.support.CapturedSpans;
import io.xcomposer.gateway.support.ComprehensionStack;
import io.xcomposer.gateway.support.SseClient;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Traces and metrics of the real stack. One chat with an image through it (gateway → comprehension-service → CPU inference server, over
 * loopback HTTP and gRPC) is one trace: every hop's spans share its trace id, each service's server span is the
 * child of the client span of the service that called it (so the W3C {@code traceparent} crossed the wire, from
 * one OpenTelemetry SDK to another, as the distinct {@code service.name} resources show), and the steps hang where
 * they run. And every query of the Grafana dashboard (helm/xcomposer/dashboards) names metrics that the running
 * applications export, read from their Prometheus scrapes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityIntegrationTests {

    private static final Path DASHBOARD = Path.of("..", "helm", "xcomposer", "dashboards", "xcomposer.json");

    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");

    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    private static final AttributeKey<String> STEP = AttributeKey.stringKey("step");

    /** gRPC spans are named for the full method. */
    private static final String GRPC_SERVICE = "inference.GRPCInferenceService/";

    private ComprehensionStack stack;

    @BeforeAll
    void startStack() {
        List<String> modelSettings = CapturedSpans.arguments().stream()
                .map(argument -> argument.substring(2))
                .toList();
        stack = new ComprehensionStack(modelSettings, CapturedSpans.arguments(), CapturedSpans.arguments());
    }

    @AfterAll
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void chatWithAnImage_isOneTraceAcrossGatewayComprehensionAndModelServer() throws Exception {
        CapturedSpans.clear();
        assertThat(SseClient.text(chatWithAnImage())).isNotBlank();

        // The model server names its generation span as GenAI's conventions do: "{operation} {model}".
        SpanData generate = awaitSpan(span -> span.getName().equals("text_completion llm"));
        awaitSpan(span -> span.getKind() == SpanKind.SERVER
                && span.getName().startsWith("http ")
                && service(span).equals("gateway-service"));
        List<SpanData> trace = CapturedSpans.all().stream()
                .filter(span -> span.getTraceId().equals(generate.getTraceId()))
                .toList();

        SpanData gatewayServer = only(trace, "gateway-service", SpanKind.SERVER);
        assertThat(gatewayServer.getParentSpanContext().isValid())
                .as("the gateway starts the trace")
                .isFalse();
        assertThat(parentOf(step(trace, "gateway.auth"), trace)).isEqualTo(gatewayServer);
        assertThat(parentOf(step(trace, "gateway.limits"), trace)).isEqualTo(gatewayServer);
        SpanData gatewayClient = only(trace, "gateway-service", SpanKind.CLIENT);

        SpanData comprehensionServer = only(trace, "comprehension-service", SpanKind.SERVER);
        assertThat(comprehensionServer.getParentSpanId())
                .as("comprehension's server span continues the gateway's client span (traceparent over HTTP)")
                .isEqualTo(gatewayClient.getSpanId());
        SpanData plan = step(trace, "comprehension.prompt.plan");
        SpanData encode = step(trace, "comprehension.vision.encode");
        SpanData generating = step(trace, "comprehension.generate");
        assertThat(List.of(plan, encode, generating))
                .allSatisfy(span -> assertThat(ancestors(span, trace)).contains(comprehensionServer));

        SpanData streamClient = grpc(trace, "comprehension-service", SpanKind.CLIENT, "ModelStreamInfer");
        SpanData inferClient = grpc(trace, "comprehension-service", SpanKind.CLIENT, "ModelInfer");
        assertThat(parentOf(streamClient, trace)).isEqualTo(generating);
        assertThat(ancestors(inferClient, trace)).contains(encode);

        SpanData streamServer = grpc(trace, "cpu-inference-server", SpanKind.SERVER, "ModelStreamInfer");
        SpanData inferServer = grpc(trace, "cpu-inference-server", SpanKind.SERVER, "ModelInfer");
        assertThat(streamServer.getParentSpanId())
                .as("the model server's span continues comprehension's gRPC client span (traceparent in metadata)")
                .isEqualTo(streamClient.getSpanId());
        assertThat(inferServer.getParentSpanId()).isEqualTo(inferClient.getSpanId());
        assertThat(service(generate)).isEqualTo("cpu-inference-server");
        assertThat(generate.getParentSpanId()).isEqualTo(streamServer.getSpanId());
        assertThat(generate.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
                .isEqualTo("llm");
    }

    @Test
    void dashboard_queriesOnlyMetricsThePlatformExports() throws Exception {
        assertThat(SseClient.text(chatWithAnImage())).isNotBlank();
        Set<String> exported = new HashSet<>();
        for (ConfigurableApplicationContext context :
                List.of(stack.gateway, stack.comprehension, stack.model.context())) {
            exported.addAll(
                    sampleNames(context.getBean(PrometheusMeterRegistry.class).scrape()));
        }
        JsonNode dashboard = JsonMapper.builder().build().readTree(DASHBOARD.toFile());
        List<String> checked = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(panel.at("/datasource/type").asString()).isEqualTo("prometheus");
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asString();
                List<String> metrics = selectors(expr);
                assertThat(metrics)
                        .as("metric selectors (name{...}) in " + expr)
                        .isNotEmpty();
                assertThat(metrics)
                        .as("panel '" + panel.get("title").asString() + "'")
                        .allSatisfy(metric -> assertThat(exported).contains(metric));
                checked.addAll(metrics);
            }
        }
        assertThat(checked)
                .contains(
                        "vllm:time_to_first_token_seconds_bucket",
                        "gen_ai_server_time_to_first_token_seconds_bucket",
                        "gen_ai_client_token_usage_sum");
    }

    private List<SseClient.Event> chatWithAnImage() throws Exception {
        String body = "{\"model\":\"xcomposer-tiny\",\"stream\":true,\"max_tokens\":8,\"messages\":[{\"role\":\"user\","
                + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + freshImage() + "\"}},"
                + "{\"type\":\"text\",\"text\":\"What is in this picture?\"}]}]}";
        return new SseClient(stack.port, key())
                .post("/v1/chat/completions", body, Map.of())
                .readAll();
    }

    /** Metric names in a PromQL expression: every selector is written {@code name{...}}. */
    private static List<String> selectors(String expr) {
        return SELECTOR.matcher(expr).results().map(match -> match.group(1)).toList();
    }

    /** The sample names of a Prometheus text scrape ({@code name{labels} value}). */
    private static Set<String> sampleNames(String scrape) {
        Set<String> names = new HashSet<>();
        scrape.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    private static SpanData awaitSpan(Predicate<SpanData> matching) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> CapturedSpans.all().stream().filter(matching).findFirst(), found -> found.isPresent())
                .orElseThrow();
    }

    /** The one HTTP span of {@code kind} of {@code service} (Redis commands are client spans too). */
    private static SpanData only(List<SpanData> trace, String service, SpanKind kind) {
        List<SpanData> found = trace.stream()
                .filter(span -> service(span).equals(service)
                        && span.getKind() == kind
                        && span.getName().startsWith("http "))
                .toList();
        assertThat(found)
                .as(kind + " HTTP spans of " + service + " in " + describe(trace))
                .hasSize(1);
        return found.get(0);
    }

    private static SpanData step(List<SpanData> trace, String step) {
        return trace.stream()
                .filter(span -> step.equals(span.getAttributes().get(STEP)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no step " + step + " in " + describe(trace)));
    }

    private static SpanData grpc(List<SpanData> trace, String service, SpanKind kind, String method) {
        return trace.stream()
                .filter(span -> service(span).equals(service)
                        && span.getKind() == kind
                        && span.getName().equals(GRPC_SERVICE + method))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no " + kind + " " + method + " span of " + service + " in " + describe(trace)));
    }

    private static SpanData parentOf(SpanData span, List<SpanData> trace) {
        return trace.stream()
                .filter(candidate -> candidate.getSpanId().equals(span.getParentSpanId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("parent of " + span.getName() + " not in " + describe(trace)));
    }

    private static List<SpanData> ancestors(SpanData span, List<SpanData> trace) {
        List<SpanData> found = new ArrayList<>();
        SpanData current = span;
        for (int depth = 0; depth < 32 && current.getParentSpanContext().isValid(); depth++) {
            SpanData child = current;
            current = trace.stream()
                    .filter(candidate -> candidate.getSpanId().equals(child.getParentSpanId()))
                    .findFirst()
                    .orElse(null);
            if (current == null) {
                break;
            }
            found.add(current);
        }
        return found;
    }

    private static String service(SpanData span) {
        return Objects.requireNonNullElse(span.getResource().getAttribute(SERVICE_NAME), "?");
    }

    private static String describe(List<SpanData> trace) {
        return trace.stream()
                .map(span -> service(span) + ":" + span.getKind() + ":" + span.getName() + "(" + span.getSpanId() + "<-"
                        + span.getParentSpanId() + ")")
                .toList()
                .toString();
    }

    private String key() {
        return stack.gateway
                .getBean(ApiKeyStore.class)
                .create("tracing", 0, 0)
                .block(Duration.ofSeconds(5))
                .secret();
    }

    /** A picture no other test sent, so its vision features are not in the shared Redis cache yet. */
    private static String freshImage() throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(new Color(ThreadLocalRandom.current().nextInt(1 << 24)));
        graphics.fillRect(0, 0, 64, 64);
        graphics.setColor(Color.WHITE);
        graphics.fillOval(16, 16, 32, 32);
        graphics.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }
}
