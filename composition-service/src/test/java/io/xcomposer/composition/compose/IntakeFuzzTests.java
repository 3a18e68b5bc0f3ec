package io.xcomposer.composition.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.composition.support.IntegrationTest;
import io.xcomposer.composition.support.TestEnvironment;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A seeded fuzz pass over the JSON and image intake of compositions (this service) and of gallery search and
 * ingestion (the real retrieval-service beside it): valid requests mutated (fields dropped, values swapped for
 * other JSON types, huge and negative numbers, nested junk, image bytes flipped and truncated inside data URLs),
 * each answered 2xx or 4xx in the platform's error shape; never another 5xx than documented overload (503 with
 * Retry-After), never a hang. Bounded by count and time: {@code -Dintake.fuzz.iterations=N} (default 120) and
 * {@code -Dintake.fuzz.seed=S} run it longer or differently.
 */
class IntakeFuzzTests extends IntegrationTest {

    private static final int ITERATIONS = Integer.getInteger("intake.fuzz.iterations", 120);

    private static final long SEED = Long.getLong("intake.fuzz.seed", 12);

    private static final Duration PER_REQUEST = Duration.ofSeconds(20);

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    @Test
    void mutatedRequestsGetA2xxOrAClean4xx() throws IOException {
        Random random = new Random(SEED);
        byte[] png = IntakeIntegrationTests.png(12, 12);
        WebTestClient retrieval = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:"
                        + TestEnvironment.get().retrieval().getEnvironment().getProperty("local.server.port"))
                .responseTimeout(PER_REQUEST)
                .build();
        WebTestClient composition =
                this.web.mutate().responseTimeout(PER_REQUEST).build();
        List<String> failures = new ArrayList<>();
        long deadline = System.nanoTime()
                + Duration.ofSeconds(Long.getLong("intake.fuzz.seconds", 25)).toNanos();
        int sent = 0;
        for (int i = 0; i < ITERATIONS && System.nanoTime() < deadline; i++, sent++) {
            int target = random.nextInt(3);
            ObjectNode body = switch (target) {
                case 0 -> composition(random, png);
                case 1 -> search(random, png);
                default -> ingest(random, png);
            };
            mutate(body, random);
            byte[] raw = random.nextInt(10) == 0
                    ? breakSyntax(body.toString(), random)
                    : body.toString().getBytes();
            WebTestClient client = target == 0 ? composition : retrieval;
            String path = switch (target) {
                case 0 -> "/v1/compositions";
                case 1 -> "/v1/gallery/search";
                default -> "/v1/gallery/images";
            };
            EntityExchangeResult<byte[]> result = client.post()
                    .uri(path)
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(raw)
                    .exchange()
                    .expectBody()
                    .returnResult();
            String problem = problem(result);
            if (problem != null) {
                failures.add(path + " " + new String(raw, 0, Math.min(raw.length, 300)) + " -> " + problem);
            }
        }
        assertThat(sent).as("requests sent").isGreaterThanOrEqualTo(Math.min(ITERATIONS, 30));
        assertThat(failures).isEmpty();
    }

    private static String problem(EntityExchangeResult<byte[]> result) {
        int status = result.getStatus().value();
        if (status < 300) {
            return null;
        }
        String body = result.getResponseBody() == null ? "" : new String(result.getResponseBody());
        if (status == 503 && result.getResponseHeaders().getFirst("Retry-After") != null) {
            return null;
        }
        if (status >= 500 || status < 400) {
            return status + " " + body;
        }
        JsonNode error = JSON.readTree(body).path("error");
        if (!error.path("message").isString()
                || !error.path("type").isString()
                || !error.has("param")
                || !error.has("code")) {
            return status + " not in the error shape: " + body;
        }
        return null;
    }

    private ObjectNode composition(Random random, byte[] png) {
        ObjectNode body = this.nodes.objectNode().put("title", "Shapes " + random.nextInt(1000));
        body.put("images", random.nextBoolean() ? "auto" : String.valueOf(random.nextInt(5)));
        body.put("max_paragraphs", 1 + random.nextInt(3));
        body.put("seed", random.nextInt(100));
        if (random.nextBoolean()) {
            body.putArray("user_images").add(dataUrl(maybeCorrupt(png, random)));
        }
        return body;
    }

    private ObjectNode search(Random random, byte[] png) {
        ObjectNode body = this.nodes.objectNode().put("top_k", 1 + random.nextInt(5));
        if (random.nextBoolean()) {
            body.put("text", "a red square");
        } else {
            body.put("image_base64", Base64.getEncoder().encodeToString(maybeCorrupt(png, random)));
        }
        return body;
    }

    private ObjectNode ingest(Random random, byte[] png) {
        ObjectNode body = this.nodes
                .objectNode()
                .put("image_base64", Base64.getEncoder().encodeToString(maybeCorrupt(png, random)))
                .put("caption", "fuzz " + random.nextInt(1000));
        body.putArray("tags").add("fuzz");
        return body;
    }

    /** One to three mutations of a field: dropped, another JSON type, an extreme number, junk, a deep nesting. */
    private void mutate(ObjectNode body, Random random) {
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
            List<String> fields = new ArrayList<>(body.propertyNames());
            String field = random.nextInt(6) == 0 || fields.isEmpty()
                    ? "extra_" + random.nextInt(3)
                    : fields.get(random.nextInt(fields.size()));
            switch (random.nextInt(9)) {
                case 0 -> body.remove(field);
                case 1 -> body.put(field, random.nextLong());
                case 2 -> body.put(field, random.nextBoolean() ? 1e300 : -1e12);
                case 3 -> body.put(field, random.nextBoolean());
                case 4 -> body.putNull(field);
                case 5 -> body.put(field, junk(random));
                case 6 -> body.set(field, deep(random.nextInt(40)));
                case 7 -> body.putArray(field).add(random.nextInt()).add("x").addNull();
                default -> body.putObject(field).put("url", junk(random));
            }
        }
    }

    private JsonNode deep(int depth) {
        ArrayNode root = this.nodes.arrayNode();
        ArrayNode current = root;
        for (int i = 0; i < depth; i++) {
            current = current.addArray();
        }
        return root;
    }

    private static String junk(Random random) {
        String[] samples = {
            "",
            " ",
            "data:",
            "data:image/png;base64,",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "img_",
            "img_000000000000000000000000",
            "https://127.0.0.1/x.png",
            "file:///etc/passwd",
            "\u0000",
            "\uD83D\uDE00",
            "%00",
            "auto",
            "-1",
            "1e12"
        };
        return samples[random.nextInt(samples.length)];
    }

    private static byte[] maybeCorrupt(byte[] image, Random random) {
        byte[] bytes = image.clone();
        switch (random.nextInt(4)) {
            case 0 -> {
                return bytes;
            }
            case 1 -> {
                for (int i = 0; i < 1 + random.nextInt(8); i++) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return bytes;
            }
            case 2 -> {
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            }
            default -> {
                byte[] noise = new byte[random.nextInt(64)];
                random.nextBytes(noise);
                return noise;
            }
        }
    }

    private static byte[] breakSyntax(String json, Random random) {
        int cut = random.nextInt(Math.max(1, json.length()));
        return (json.substring(0, cut) + (random.nextBoolean() ? "" : "}]\"")).getBytes();
    }

    private static String dataUrl(byte[] bytes) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes);
    }
}
