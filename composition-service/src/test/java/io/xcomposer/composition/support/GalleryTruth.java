package io.xcomposer.composition.support;

import io.xcomposer.retrieval.catalog.NewImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What each image of the tiny gallery (model-repository/tiny/eval/gallery.jsonl) shows, keyed by the id
 * retrieval-service gives it when seeding (derived from the image's bytes), to judge the images a composition shows.
 */
public final class GalleryTruth {

    private final Map<String, GalleryImage> images;

    /** A gallery entry with the truth it was rendered from. */
    public record GalleryImage(String id, String captionEn, String captionZh, List<SceneObject> objects) {}

    private GalleryTruth(Map<String, GalleryImage> images) {
        this.images = images;
    }

    public static GalleryTruth load(Path gallery) {
        JsonMapper json = JsonMapper.builder().build();
        Map<String, GalleryImage> loaded = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(gallery, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode entry = json.readTree(line);
                List<SceneObject> objects = new ArrayList<>();
                entry.path("truth")
                        .path("objects")
                        .forEach(object -> objects.add(new SceneObject(
                                object.get("size").asString(),
                                        object.get("colour").asString(),
                                object.get("shape").asString(),
                                        object.get("cell").asInt())));
                byte[] bytes = Files.readAllBytes(
                        gallery.getParent().resolve(entry.get("image").asString()));
                String id = NewImage.idFor(HexFormat.of()
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
                loaded.put(
                        id,
                        new GalleryImage(
                                id,
                                entry.get("caption_en").asString(),
                                entry.get("caption_zh").asString(),
                                List.copyOf(objects)));
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
        return new GalleryTruth(loaded);
    }

    public GalleryImage image(String id) {
        return this.images.get(id);
    }

    public Collection<GalleryImage> images() {
        return this.images.values();
    }
}
