package io.xcomposer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IngestFolderCommandTests {

    @TempDir
    Path folder;

    @Test
    void withoutAKey_orWithABadFolderOrConcurrency_itIsAUsageError() {
        assertThat(IngestFolderCommand.commandLine().execute(this.folder.toString(), "--key", " "))
                .isEqualTo(2);
        assertThat(IngestFolderCommand.commandLine()
                        .execute(this.folder.resolve("missing").toString(), "--key", "xc-k"))
                .isEqualTo(2);
        assertThat(IngestFolderCommand.commandLine().execute(this.folder.toString(), "--key", "xc-k", "-j", "0"))
                .isEqualTo(2);
        assertThat(IngestFolderCommand.commandLine().execute("--no-such-option"))
                .isEqualTo(2);
    }

    @Test
    void anEmptyFolder_isDoneAtOnce() {
        // Nothing to send: no call is made, so the unreachable URL does not matter.
        assertThat(IngestFolderCommand.commandLine()
                        .execute(
                                this.folder.toString(),
                                "--key",
                                "xc-k",
                                "--url",
                                "http://127.0.0.1:9",
                                "--progress",
                                "none"))
                .isZero();
    }
}
