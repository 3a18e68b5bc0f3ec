package io.xcomposer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SidecarTests {

    @TempDir
    Path folder;

    @Test
    void csv_readsCaptionTagsAndOtherColumnsAsMetadata_byPathOrFileName() throws IOException {
        Path csv = write("captions.csv", """
                file,caption,tags,photographer
                a.png,"A red circle, large",shapes; red,Ada
                sub/b.png,,,
                """);

        Sidecar sidecar = Sidecar.read(csv);

        assertThat(sidecar.size()).isEqualTo(2);
        assertThat(sidecar.of("a.png"))
                .isEqualTo(
                        new Annotation("A red circle, large", List.of("shapes", "red"), Map.of("photographer", "Ada")));
        assertThat(sidecar.of("deeper/a.png").caption()).as("by file name").isEqualTo("A red circle, large");
        assertThat(sidecar.of("sub/b.png")).isEqualTo(new Annotation(null, List.of(), Map.of()));
        assertThat(sidecar.of("missing.png")).isSameAs(Annotation.NONE);
    }

    @Test
    void jsonLines_readTagsAsArrayOrString_andMetadataObjects() throws IOException {
        Path jsonl = write("captions.jsonl", """
                {"file": "x.jpg", "caption": "红色圆形", "tags": ["a", "b"], "metadata": {"n": 3}}

                {"file": "y.jpg", "tags": "c;d"}
                """);

        Sidecar sidecar = Sidecar.read(jsonl);

        assertThat(sidecar.of("x.jpg")).isEqualTo(new Annotation("红色圆形", List.of("a", "b"), Map.of("n", 3)));
        assertThat(sidecar.of("y.jpg").tags()).containsExactly("c", "d");
    }

    @Test
    void aRowWithoutFile_isRefusedWithItsLine() throws IOException {
        Path csv = write("c.csv", "file,caption\n,no file here\n");

        assertThatThrownBy(() -> Sidecar.read(csv))
                .hasMessageContaining("line 2")
                .hasMessageContaining("'file'");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(this.folder.resolve(name), text);
    }
}
