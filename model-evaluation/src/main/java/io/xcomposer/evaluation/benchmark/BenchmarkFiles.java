package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads benchmark files in their published layouts (docs/evaluation.md, "File layouts"). Nothing is downloaded:
 * the files are the user's.
 */
public final class BenchmarkFiles {

    /** MMBench's circular copies of question i have the indices i + k·10⁶ in the published TSVs. */
    static final long CIRCULAR_STRIDE = 1_000_000L;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final String OPTION_COLUMNS = "ABCDEFGHI";

    private BenchmarkFiles() {}

    /**
     * @param imageRoot folder that relative image paths resolve against (SEED's {@code data_id}, MME's
     *     {@code image_path} when the file has no image cells); null: the data file's folder
     */
    public static List<BenchmarkItem> read(BenchmarkKind kind, Path file, @Nullable Path imageRoot) throws IOException {
        Path root = imageRoot != null ? imageRoot : file.toAbsolutePath().getParent();
        return switch (kind) {
            case MMBENCH -> mmbench(TsvTable.read(file));
            case MME ->
                file.toString().toLowerCase(Locale.ROOT).endsWith(".json")
                        ? mme(jsonRows(file), root)
                        : mme(TsvTable.read(file), root);
            case SEED -> seed(JSON.readTree(file.toFile()), imageRoot != null ? imageRoot : seedImages(file));
            case SLICES -> slices(file);
        };
    }

    /** SEED-Bench publishes its images in a folder {@code SEED-Bench-image} next to {@code SEED-Bench.json}. */
    private static Path seedImages(Path file) {
        Path folder = file.toAbsolutePath().getParent();
        Path published = folder.resolve("SEED-Bench-image");
        return Files.isDirectory(published) ? published : folder;
    }

    static List<BenchmarkItem> mmbench(List<Map<String, String>> rows) {
        Map<String, String> imagesByIndex = imagesByIndex(rows);
        Map<String, Integer> groupSizes = new HashMap<>();
        rows.forEach(row -> groupSizes.merge(circularGroup(required(row, "index")), 1, Integer::sum));
        List<BenchmarkItem> items = new ArrayList<>();
        for (Map<String, String> row : rows) {
            String index = required(row, "index");
            String answer = cell(row, "answer").strip().toUpperCase(Locale.ROOT);
            if (answer.isEmpty()) {
                throw new IllegalArgumentException("row " + index + " has no answer: this harness scores splits"
                        + " with answers (MMBench dev); test-split predictions go to the official server");
            }
            List<String> options = new ArrayList<>();
            for (char letter : OPTION_COLUMNS.toCharArray()) {
                String option = cell(row, String.valueOf(letter));
                if (option.isBlank()) {
                    break;
                }
                options.add(option.strip());
            }
            String group = circularGroup(index);
            items.add(new BenchmarkItem(
                    index,
                    group,
                    orDefault(cell(row, "category"), "uncategorised"),
                    orDefault(cell(row, "l2-category"), "-"),
                    required(row, "question"),
                    cell(row, "hint").strip(),
                    options,
                    answer,
                    List.of(ImageData.fromBase64(image(row, imagesByIndex))),
                    null,
                    MatchRule.LETTER,
                    groupSizes.get(group) > 1));
        }
        return items;
    }

    static List<BenchmarkItem> mme(List<Map<String, String>> rows, Path root) throws IOException {
        Map<String, String> imagesByIndex = imagesByIndex(rows);
        List<BenchmarkItem> items = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            String index = orDefault(cell(row, "index"), String.valueOf(i));
            String subtask = required(row, "category");
            String imagePath = cell(row, "image_path");
            String imageCell = cell(row, "image").strip();
            String url;
            String imageKey;
            if (imageCell.isEmpty()) {
                url = ImageData.fromFile(root.resolve(required(row, "image_path")));
                imageKey = imagePath;
            } else {
                url = ImageData.fromBase64(image(row, imagesByIndex));
                imageKey = imagePath.isEmpty() ? "image " + imageSource(index, imageCell) : imagePath;
            }
            String answer = AnswerExtractor.yesNo(required(row, "answer")).value();
            if (answer == null) {
                throw new IllegalArgumentException("MME row " + index + ": answer is neither Yes nor No");
            }
            items.add(new BenchmarkItem(
                    index,
                    subtask + "/" + imageKey,
                    subtask,
                    MmeScore.family(subtask),
                    required(row, "question"),
                    "",
                    List.of(),
                    answer,
                    List.of(url),
                    null,
                    MatchRule.YES_NO,
                    false));
        }
        return items;
    }

    static List<BenchmarkItem> seed(JsonNode doc, Path root) throws IOException {
        Map<Integer, String> dimensions = new HashMap<>();
        doc.path("question_type")
                .properties()
                .forEach(e -> dimensions.put(e.getValue().asInt(), e.getKey()));
        List<BenchmarkItem> items = new ArrayList<>();
        for (JsonNode q : doc.path("questions")) {
            if (!q.path("data_type").asString("image").equals("image")) {
                continue; // SEED-Bench's video questions need frames, not one image
            }
            int dimension = q.path("question_type_id").asInt();
            String id = q.path("question_id").asString();
            List<String> options = new ArrayList<>();
            for (String key : List.of("choice_a", "choice_b", "choice_c", "choice_d")) {
                options.add(q.path(key).asString().strip());
            }
            items.add(new BenchmarkItem(
                    id,
                    id,
                    dimensions.getOrDefault(dimension, "dimension " + dimension),
                    "-",
                    q.path("question").asString(),
                    "",
                    options,
                    q.path("answer").asString().strip().toUpperCase(Locale.ROOT),
                    List.of(ImageData.fromFile(root.resolve(q.path("data_id").asString()))),
                    null,
                    MatchRule.LETTER,
                    false));
        }
        return items;
    }

    static List<BenchmarkItem> slices(Path file) throws IOException {
        List<BenchmarkItem> items = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode r = JSON.readTree(line);
            String id = r.path("index").asString();
            List<String> images = new ArrayList<>();
            r.path("images").forEach(image -> images.add(ImageData.fromBase64(image.asString())));
            items.add(new BenchmarkItem(
                    id,
                    id,
                    r.path("slice").asString(),
                    r.path("lang").asString("-"),
                    r.path("question").asString(),
                    "",
                    List.of(),
                    r.path("answer").asString(),
                    images,
                    r.has("system") ? r.path("system").asString() : null,
                    MatchRule.valueOf(r.path("match").asString("exact").toUpperCase(Locale.ROOT)),
                    false));
        }
        return items;
    }

    private static List<Map<String, String>> jsonRows(Path file) throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (JsonNode node : JSON.readTree(file.toFile())) {
            Map<String, String> row = new HashMap<>();
            node.properties().forEach(e -> row.put(e.getKey(), e.getValue().asString()));
            rows.add(row);
        }
        return rows;
    }

    /** VLMEvalKit's TSVs store an image once; later rows of the same image hold the first row's index. */
    private static Map<String, String> imagesByIndex(List<Map<String, String>> rows) {
        Map<String, String> images = new HashMap<>();
        rows.forEach(row -> images.put(cell(row, "index"), cell(row, "image")));
        return images;
    }

    private static String image(Map<String, String> row, Map<String, String> imagesByIndex) {
        String cell = required(row, "image").strip();
        String referenced = isReference(cell) ? imagesByIndex.get(cell) : cell;
        if (referenced == null || isReference(referenced)) {
            throw new IllegalArgumentException(
                    "row " + cell(row, "index") + ": image refers to row " + cell + ", which holds no image");
        }
        return referenced;
    }

    private static String imageSource(String index, String imageCell) {
        return isReference(imageCell) ? imageCell : index;
    }

    private static boolean isReference(String cell) {
        return cell.length() < 16 && cell.chars().allMatch(Character::isDigit);
    }

    private static String circularGroup(String index) {
        try {
            return String.valueOf(Long.parseLong(index.strip()) % CIRCULAR_STRIDE);
        } catch (NumberFormatException e) {
            return index;
        }
    }

    private static String cell(Map<String, String> row, String column) {
        String value = row.get(column);
        return value == null || value.equalsIgnoreCase("nan") ? "" : value;
    }

    private static String required(Map<String, String> row, String column) {
        String value = cell(row, column);
        if (value.isBlank()) {
            throw new IllegalArgumentException("row " + row.getOrDefault("index", "?") + " has no '" + column + "'");
        }
        return value;
    }

    private static String orDefault(String value, String fallback) {
        return value.isBlank() ? fallback : value.strip();
    }
}
