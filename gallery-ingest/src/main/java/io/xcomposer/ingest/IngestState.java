package io.xcomposer.ingest;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What earlier runs finished, one JSON line per image ({@code {"gallery","sha256","file","id","outcome"}}), appended
 * and flushed as each image is done, so an interrupted run leaves a usable file: at worst a torn last line, which
 * the next run ignores (that image is then checked against the gallery again). Lines of another gallery URL do not
 * count, so one folder can go to several deployments.
 */
final class IngestState implements Closeable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final String gallery;
    private final Set<String> done = ConcurrentHashMap.newKeySet();
    private final BufferedWriter out;

    private IngestState(String gallery, BufferedWriter out) {
        this.gallery = gallery;
        this.out = out;
    }

    static IngestState open(Path file, String gallery) throws IOException {
        IngestState state = new IngestState(
                gallery,
                Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND));
        if (Files.size(file) > 0) {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            text.lines().forEach(state::load);
            if (!text.endsWith("\n")) {
                // A torn last line ends here, so the next record starts a line of its own.
                state.out.newLine();
                state.out.flush();
            }
        }
        return state;
    }

    private void load(String line) {
        if (line.isBlank()) {
            return;
        }
        try {
            JsonNode entry = JSON.readTree(line);
            if (this.gallery.equals(entry.path("gallery").asString(""))) {
                this.done.add(entry.path("sha256").asString(""));
            }
        } catch (JacksonException torn) {
            // The last line of a killed run; its image is looked up again.
        }
    }

    boolean isDone(String sha256) {
        return this.done.contains(sha256);
    }

    int size() {
        return this.done.size();
    }

    synchronized void record(String sha256, String file, String id, String outcome) throws IOException {
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("gallery", this.gallery);
        entry.put("sha256", sha256);
        entry.put("file", file);
        entry.put("id", id);
        entry.put("outcome", outcome);
        this.out.write(JSON.writeValueAsString(entry));
        this.out.newLine();
        this.out.flush();
        this.done.add(sha256);
    }

    @Override
    public synchronized void close() throws IOException {
        this.out.close();
    }
}
