package io.xcomposer.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * First step of the vector-index benchmark's tiny-embedder set (run on request, tag {@code benchmark}): the scenes
 * that {@code benchmark/scene_pixels.py} rendered ({@code -Dbench.pixels}, raw 64×64 RGB) go as PNGs through the
 * service's own embeddings endpoint to the CPU inference server's {@code image_embedder}; the vectors are written to
 * {@code -Dbench.out} (at most {@code -Dbench.limit} scenes; little-endian float32 rows) for {@code VectorIndexBenchmarkTests -Dbench.dataset=file}.
 */
@Tag("benchmark")
class SceneEmbeddingsBenchmarkTests {

    private static final int SIDE = 64;

    private static final int BATCH = 64;

    @Test
    void embedRenderedScenes() throws IOException {
        Path pixels = Path.of(System.getProperty("bench.pixels"));
        Path out = Path.of(System.getProperty("bench.out", "target/scene-embeddings.f32"));
        // The first bench.limit scenes of the file (all by default).
        long scenes = Math.min(Long.getLong("bench.limit", Long.MAX_VALUE), Files.size(pixels) / (SIDE * SIDE * 3));
        ConfigurableApplicationContext app = GalleryTestSupport.startApp(
                "{bench-scenes}", Files.createTempDirectory(Path.of("target"), "scenes-index"));
        long start = System.nanoTime();
        long written = 0;
        int dimension = 0;
        try (InputStream in = Files.newInputStream(pixels);
                FileChannel sink = FileChannel.open(
                        out,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            var client = GalleryTestSupport.client(app);
            byte[] scene = new byte[SIDE * SIDE * 3];
            while (written < scenes) {
                List<String> batch = new ArrayList<>();
                while (batch.size() < Math.min(BATCH, scenes - written)
                        && in.readNBytes(scene, 0, scene.length) == scene.length) {
                    batch.add(Base64.getEncoder().encodeToString(png(scene)));
                }
                JsonNode response = client.post()
                        .uri("/v1/gallery/embeddings")
                        .bodyValue(Map.of("images", batch))
                        .exchange()
                        .expectStatus()
                        .isOk()
                        .expectBody(JsonNode.class)
                        .returnResult()
                        .getResponseBody();
                dimension = response.get("dimensions").asInt();
                ByteBuffer buffer =
                        ByteBuffer.allocate(batch.size() * dimension * 4).order(ByteOrder.LITTLE_ENDIAN);
                response.get("data")
                        .forEach(item -> item.get("embedding").forEach(v -> buffer.putFloat(v.floatValue())));
                sink.write(buffer.flip());
                written += batch.size();
            }
        } finally {
            app.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String line = String.format(
                "embedded %d scenes (%d-d) in %.1f s = %.0f images/s (PNG + HTTP + preprocessing + CPU server)%n",
                written, dimension, seconds, written / seconds);
        System.out.print(line);
        Files.writeString(Path.of("target/scene-embeddings.txt"), line);
        assertThat(Files.size(out)).isEqualTo(written * dimension * 4);
    }

    private static byte[] png(byte[] rgb) throws IOException {
        BufferedImage image = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < SIDE * SIDE; i++) {
            int pixel = (rgb[3 * i] & 0xff) << 16 | (rgb[3 * i + 1] & 0xff) << 8 | (rgb[3 * i + 2] & 0xff);
            image.setRGB(i % SIDE, i / SIDE, pixel);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }
}
