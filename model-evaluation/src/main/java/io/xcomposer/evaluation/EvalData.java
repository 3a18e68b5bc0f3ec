package io.xcomposer.evaluation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads the committed evaluation sets of a repository's eval folder. */
public final class EvalData {

    private static final JsonMapper JSON = JsonMapper.builder()
            // The files carry more than the evaluation needs (cell index, question kind, title).
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Path evalFolder;

    public EvalData(Path evalFolder) {
        this.evalFolder = evalFolder;
    }

    public List<HeldOutRecord> heldOut() {
        return lines("heldout.jsonl").stream()
                .map(line -> JSON.readValue(line, HeldOutLine.class))
                .map(HeldOutLine::toRecord)
                .toList();
    }

    public List<GalleryImage> gallery() {
        return lines("gallery.jsonl").stream()
                .map(line -> JSON.readValue(line, GalleryLine.class))
                .map(line -> new GalleryImage(line.id(), line.image(), line.caption_en(), line.caption_zh()))
                .toList();
    }

    public byte[] read(String relativePath) {
        try {
            return Files.readAllBytes(evalFolder.resolve(relativePath));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Up to {@code perStratum} records of every task × language, drawn with a fixed seed, in file order. */
    public static List<HeldOutRecord> stratifiedSample(List<HeldOutRecord> records, int perStratum, long seed) {
        Map<String, List<HeldOutRecord>> strata = new LinkedHashMap<>();
        records.forEach(
                r -> strata.computeIfAbsent(r.stratum(), k -> new ArrayList<>()).add(r));
        Random random = new Random(seed);
        List<HeldOutRecord> sample = new ArrayList<>();
        for (List<HeldOutRecord> stratum : strata.values()) {
            List<HeldOutRecord> shuffled = new ArrayList<>(stratum);
            Collections.shuffle(shuffled, random);
            List<HeldOutRecord> picked = new ArrayList<>(shuffled.subList(0, Math.min(perStratum, shuffled.size())));
            picked.sort((a, b) -> Integer.compare(a.id(), b.id()));
            sample.addAll(picked);
        }
        return sample;
    }

    private List<String> lines(String file) {
        try {
            return Files.readAllLines(evalFolder.resolve(file)).stream()
                    .filter(line -> !line.isBlank())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Truth(List<SceneObject> objects) {}

    private record HeldOutLine(
            int id, String task, String lang, String prompt, List<String> images, String answer, Truth truth) {

        HeldOutRecord toRecord() {
            return new HeldOutRecord(
                    id, task, lang, prompt, images, answer, truth == null ? List.of() : truth.objects());
        }
    }

    private record GalleryLine(int id, String image, String caption_en, String caption_zh) {}
}
