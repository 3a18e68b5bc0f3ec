package io.xcomposer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.xcomposer.gateway.support.RealPlatform;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code scripts/ingest-folder}'s command as a real child process against the real platform ({@link RealPlatform}:
 * gateway, retrieval-service, the CPU model server's embedders, Redis): a folder of generated images with a CSV
 * sidecar is ingested, the run is interrupted (SIGTERM) part-way, resumed to the end, and run again; the gallery
 * grows by exactly the folder's images, and neither the resumed run nor the rerun adds a duplicate.
 */
class IngestFolderIntegrationTests {

    private static final int IMAGES = 48;
    private static final Pattern SUMMARY = Pattern.compile(
            "created (\\d+), already in the gallery (\\d+), done before (\\d+), failed (\\d+), in \\S+");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static RealPlatform platform;

    @TempDir
    Path folder;

    @TempDir
    Path logs;

    @BeforeAll
    static void startPlatform() {
        platform = RealPlatform.get();
    }

    @Test
    void interrupted_resumed_andRerun_addsEachImageOnce() throws Exception {
        String key = platform.newKey("ingest-folder");
        List<Path> images = generate(IMAGES);
        Files.writeString(
                this.folder.resolve("captions.csv"),
                "file,caption,tags,source\nimg-003.png,\"Three blocks, generated\",generated;cli,test\n");
        Path state = this.folder.resolve(".gallery-ingest-state.jsonl");
        long before = platform.gallerySize();

        Process first = start(key, "first", "-j", "1");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (lines(state) < 10 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(first.isAlive()).as("still running after 10 images").isTrue();
        first.destroy(); // SIGTERM, as Ctrl-C or a stopped CI job would
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int doneAtInterruption = lines(state);
        assertThat(doneAtInterruption).isBetween(10, IMAGES - 1);
        System.out.printf("ingest-folder first: interrupted after %d of %d images%n", doneAtInterruption, IMAGES);

        Summary resumed = finish(start(key, "resumed", "-j", "4"), "resumed");
        assertThat(resumed.doneBefore()).isEqualTo(doneAtInterruption);
        assertThat(resumed.created() + resumed.existing()).isEqualTo(IMAGES - doneAtInterruption);
        assertThat(resumed.failed()).isZero();
        assertThat(platform.gallerySize() - before).as("gallery growth").isEqualTo(IMAGES);
        assertThat(lines(state)).isEqualTo(IMAGES);

        Summary rerun = finish(start(key, "rerun", "-j", "4"), "rerun");
        assertThat(rerun).isEqualTo(new Summary(0, 0, IMAGES, 0));
        // Without the state file, the content hashes find every image in the gallery: still nothing added.
        Summary fresh = finish(
                start(
                        key,
                        "fresh",
                        "--state",
                        this.logs.resolve("other-state.jsonl").toString()),
                "fresh");
        assertThat(fresh).isEqualTo(new Summary(0, IMAGES, 0, 0));
        assertThat(platform.gallerySize() - before).isEqualTo(IMAGES);

        JsonNode annotated = JSON.readTree(get("/v1/gallery/images/" + id(images.get(3)), key));
        assertThat(annotated.get("caption").asString()).isEqualTo("Three blocks, generated");
        assertThat(annotated.get("tags").toString()).isEqualTo("[\"generated\",\"cli\"]");
        assertThat(annotated.get("metadata").get("source").asString()).isEqualTo("test");
        assertThat(annotated.get("metadata").get("source_file").asString()).isEqualTo("img-003.png");
    }

    private record Summary(int created, int existing, int doneBefore, int failed) {}

    private Process start(String key, String name, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "io.xcomposer.ingest.IngestFolderCommand",
                this.folder.toString(),
                "--url",
                platform.url(),
                "--progress",
                "lines"));
        command.addAll(List.of(options));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(this.logs.resolve(name + ".out").toFile())
                .redirectError(this.logs.resolve(name + ".err").toFile());
        builder.environment().put("XCOMPOSER_API_KEY", key);
        return builder.start();
    }

    private Summary finish(Process process, String name) throws Exception {
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as(name + " finished")
                .isTrue();
        String out = Files.readString(this.logs.resolve(name + ".out"));
        String err = Files.readString(this.logs.resolve(name + ".err"));
        assertThat(process.exitValue()).as("exit of %s; stderr: %s", name, err).isZero();
        assertThat(err).as("progress lines").contains("/" + IMAGES + " ");
        System.out.printf("ingest-folder %s: %s", name, out);
        Matcher summary = SUMMARY.matcher(out);
        assertThat(summary.find()).as("summary in %s", out).isTrue();
        return new Summary(
                Integer.parseInt(summary.group(1)),
                Integer.parseInt(summary.group(2)),
                Integer.parseInt(summary.group(3)),
                Integer.parseInt(summary.group(4)));
    }

    /** Images with random blocks of colour, each different (and different from every other run's). */
    private List<Path> generate(int count) throws IOException {
        Random random = new Random(System.nanoTime());
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
            Graphics2D graphics = image.createGraphics();
            for (int block = 0; block < 5; block++) {
                graphics.setColor(new Color(random.nextInt(0xFFFFFF)));
                graphics.fillRect(
                        random.nextInt(56), random.nextInt(56), 4 + random.nextInt(28), 4 + random.nextInt(28));
            }
            graphics.dispose();
            Path file = this.folder.resolve(String.format("img-%03d.png", i));
            ImageIO.write(image, "png", file.toFile());
            files.add(file);
        }
        return files;
    }

    private static int lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        return (int) Files.readString(file)
                .lines()
                .filter(line -> line.endsWith("}"))
                .count();
    }

    private static String id(Path image) throws Exception {
        byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(image));
        return "img_" + HexFormat.of().formatHex(digest).substring(0, 24);
    }

    private static String get(String path, String key) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(platform.url() + path))
                                .header("Authorization", "Bearer " + key)
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(200);
        return response.body();
    }
}
