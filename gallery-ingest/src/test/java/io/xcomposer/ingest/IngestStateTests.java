package io.xcomposer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestStateTests {

    private static final String GALLERY = "http://127.0.0.1:8080";

    @TempDir
    Path folder;

    @Test
    void recordedImages_areDoneForTheNextRun_ofTheSameGalleryOnly() throws IOException {
        Path file = this.folder.resolve("state.jsonl");
        try (IngestState state = IngestState.open(file, GALLERY)) {
            state.record("aa", "a.png", "img_aa", "created");
            state.record("bb", "b.png", "img_bb", "exists");
        }

        try (IngestState again = IngestState.open(file, GALLERY);
                IngestState other = IngestState.open(file, "http://127.0.0.1:9999")) {
            assertThat(again.size()).isEqualTo(2);
            assertThat(again.isDone("aa")).isTrue();
            assertThat(again.isDone("cc")).isFalse();
            assertThat(other.size()).as("lines of another gallery").isZero();
        }
    }

    @Test
    void aTornLastLine_ofAKilledRun_isIgnored() throws IOException {
        Path file = this.folder.resolve("state.jsonl");
        try (IngestState state = IngestState.open(file, GALLERY)) {
            state.record("aa", "a.png", "img_aa", "created");
        }
        Files.writeString(file, "{\"gallery\":\"" + GALLERY + "\",\"sha2", StandardOpenOption.APPEND);

        try (IngestState again = IngestState.open(file, GALLERY)) {
            assertThat(again.size()).isEqualTo(1);
            again.record("bb", "b.png", "img_bb", "created");
        }
        try (IngestState third = IngestState.open(file, GALLERY)) {
            assertThat(third.isDone("bb"))
                    .as("a line written after the torn one")
                    .isTrue();
            assertThat(third.size()).isEqualTo(2);
        }
    }

    @Test
    void emptyFile_meansNothingDone() throws IOException {
        try (IngestState state = IngestState.open(this.folder.resolve("new.jsonl"), GALLERY)) {
            assertThat(state.size()).isZero();
        }
    }
}
