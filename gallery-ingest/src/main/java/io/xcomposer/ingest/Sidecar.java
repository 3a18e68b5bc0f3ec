package io.xcomposer.ingest;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.csv.CsvMapper;
import tools.jackson.dataformat.csv.CsvReadFeature;
import tools.jackson.dataformat.csv.CsvSchema;

/**
 * Captions and tags for the images of a folder, from a CSV with a header row ({@code file,caption,tags,…}; tags
 * separated by {@code ;}; other columns become metadata) or JSON lines ({@code {"file","caption","tags":[…],
 * "metadata":{…}}}). {@code file} is the image's path relative to the folder, or just its file name.
 */
final class Sidecar {

    static final Sidecar EMPTY = new Sidecar(Map.of());

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Map<String, Annotation> byFile;

    private Sidecar(Map<String, Annotation> byFile) {
        this.byFile = byFile;
    }

    static Sidecar read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        Map<String, Annotation> entries = name.endsWith(".csv") ? csv(file) : jsonLines(file);
        return new Sidecar(entries);
    }

    /** The annotation of the image at {@code relative} (a path with {@code /}), by path first, then by file name. */
    Annotation of(String relative) {
        Annotation exact = this.byFile.get(relative);
        if (exact != null) {
            return exact;
        }
        String fileName = relative.substring(relative.lastIndexOf('/') + 1);
        return this.byFile.getOrDefault(fileName, Annotation.NONE);
    }

    int size() {
        return this.byFile.size();
    }

    private static Map<String, Annotation> csv(Path file) throws IOException {
        CsvMapper mapper =
                CsvMapper.builder().enable(CsvReadFeature.TRIM_SPACES).build();
        Map<String, Annotation> entries = new HashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                MappingIterator<Map<String, String>> rows = mapper.readerForMapOf(String.class)
                        .with(CsvSchema.emptySchema().withHeader())
                        .readValues(reader)) {
            int line = 1;
            while (rows.hasNext()) {
                line++;
                Map<String, String> row = new LinkedHashMap<>(rows.next());
                String image = required(row.remove("file"), file, line);
                String caption = blankToNull(row.remove("caption"));
                List<String> tags = split(row.remove("tags"));
                Map<String, Object> metadata = new LinkedHashMap<>();
                row.forEach((column, value) -> {
                    if (value != null && !value.isBlank()) {
                        metadata.put(column, value);
                    }
                });
                entries.put(image, new Annotation(caption, tags, metadata));
            }
        }
        return entries;
    }

    private static Map<String, Annotation> jsonLines(Path file) throws IOException {
        Map<String, Annotation> entries = new HashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode entry = JSON.readTree(lines.get(i));
            String image = required(text(entry.get("file")), file, i + 1);
            JsonNode tags = entry.get("tags");
            List<String> tagList = new ArrayList<>();
            if (tags != null && tags.isArray()) {
                tags.forEach(tag -> tagList.add(tag.asString()));
            } else if (tags != null) {
                tagList.addAll(split(tags.asString()));
            }
            Map<String, Object> metadata = new LinkedHashMap<>();
            JsonNode extra = entry.get("metadata");
            if (extra != null && extra.isObject()) {
                metadata.putAll(JSON.convertValue(
                        extra, JSON.getTypeFactory().constructMapType(Map.class, String.class, Object.class)));
            }
            entries.put(image, new Annotation(blankToNull(text(entry.get("caption"))), tagList, metadata));
        }
        return entries;
    }

    private static String required(@Nullable String image, Path file, int line) {
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException(file + " line " + line + ": no 'file' value");
        }
        return image.replace('\\', '/');
    }

    private static @Nullable String text(@Nullable JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static List<String> split(@Nullable String tags) {
        if (tags == null || tags.isBlank()) {
            return List.of();
        }
        return Arrays.stream(tags.split("[;|]"))
                .map(String::strip)
                .filter(tag -> !tag.isEmpty())
                .toList();
    }
}
