package io.xcomposer.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code scripts/ingest-folder FOLDER}: see the options below and docs/operations.md ("Bulk ingest from disk"). */
@Command(
        name = "ingest-folder",
        description = "Ingests a folder of images (png, jpg, webp, gif; subfolders too) into the gallery through"
                + " the API. Resumable: finished images are listed in a state file, so rerunning the same command"
                + " after an interruption goes on where it stopped. Idempotent: images already in the gallery (same"
                + " bytes) are skipped, so a rerun adds nothing.%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every image is in the gallery",
            "1:some images failed (listed; rerun to retry them)",
            "2:bad usage",
            "3:the API refused the key (nothing more was tried)"
        })
final class IngestFolderCommand implements Callable<Integer> {

    static final String DEFAULT_STATE = ".gallery-ingest-state.jsonl";

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "this help")
    boolean help;

    @Parameters(index = "0", paramLabel = "FOLDER", description = "the folder of images")
    Path folder;

    @Option(
            names = "--url",
            defaultValue = "${env:XCOMPOSER_URL:-http://127.0.0.1:8080}",
            description = "the gateway's base URL (env XCOMPOSER_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(
            names = "--key",
            defaultValue = "${env:XCOMPOSER_API_KEY}",
            description = "API key; better in env XCOMPOSER_API_KEY, which keeps it out of shell history")
    @Nullable
    String key;

    @Option(
            names = "--sidecar",
            description = "captions and tags: a CSV (file,caption,tags[,…]; tags separated by ;) or JSONL"
                    + " ({\"file\",\"caption\",\"tags\":[…],\"metadata\":{…}}); default FOLDER/captions.csv or"
                    + " FOLDER/captions.jsonl when present")
    @Nullable
    Path sidecar;

    @Option(names = "--state", description = "the state file (default FOLDER/" + DEFAULT_STATE + ")")
    @Nullable
    Path stateFile;

    @Option(
            names = {"-j", "--concurrency"},
            defaultValue = "4",
            description = "images in flight at once, 1-64 (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(
            names = "--attempts",
            defaultValue = "5",
            description = "tries per call on 429/5xx/lost connections (default ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--timeout", defaultValue = "60s", description = "per call (default ${DEFAULT-VALUE})")
    Duration timeout;

    @Option(
            names = "--progress",
            defaultValue = "auto",
            description = "bar (redrawn in place), lines (one every few seconds), none; auto = bar on a terminal")
    String progress;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new IngestFolderCommand());
        line.registerConverter(Duration.class, value -> Duration.parse("PT" + value.toUpperCase()));
        return line;
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintStream err = System.err;
        if (this.key == null || this.key.isBlank()) {
            err.println("No API key: set XCOMPOSER_API_KEY (or --key).");
            return 2;
        }
        if (!Files.isDirectory(this.folder) || this.concurrency < 1 || this.concurrency > 64) {
            err.println(
                    !Files.isDirectory(this.folder) ? "Not a folder: " + this.folder : "--concurrency must be 1-64.");
            return 2;
        }
        Path root = this.folder.toAbsolutePath().normalize();
        Path state = (this.stateFile != null ? this.stateFile : root.resolve(DEFAULT_STATE))
                .toAbsolutePath()
                .normalize();
        Path sidecarFile = sidecarFile(root);
        Sidecar annotations = sidecarFile == null ? Sidecar.EMPTY : Sidecar.read(sidecarFile);
        Set<Path> exclude = new HashSet<>(Set.of(state));
        if (sidecarFile != null) {
            exclude.add(sidecarFile.toAbsolutePath().normalize());
        }
        List<Path> images = FolderIngestion.images(root, exclude);
        GalleryClient gallery = new GalleryClient(this.url, this.key, this.attempts, this.timeout);
        try (IngestState done = IngestState.open(state, gallery.baseUrl())) {
            err.printf(
                    "%d images in %s; %d done before (state %s); sidecar: %s%n",
                    images.size(),
                    root,
                    done.size(),
                    state,
                    sidecarFile == null ? "none" : sidecarFile + " (" + annotations.size() + " entries)");
            FolderIngestion run = new FolderIngestion(root, annotations, done, gallery, this.concurrency);
            Progress result = run.run(images, "none".equals(this.progress) ? nowhere() : err, terminal(), tick());
            return report(run, result);
        }
    }

    private int report(FolderIngestion run, Progress result) {
        System.out.printf(
                "created %d, already in the gallery %d, done before %d, failed %d, in %s%n",
                result.created.get(),
                result.existing.get(),
                result.skipped.get(),
                result.failed.get(),
                Progress.format(result.elapsed()));
        List<String> failures = run.failures();
        failures.stream().limit(20).forEach(failure -> System.err.println("failed: " + failure));
        if (failures.size() > 20) {
            System.err.println("… and " + (failures.size() - 20) + " more");
        }
        if (run.fatal() != null) {
            System.err.println("Stopped: the API refused the key (" + run.fatal() + ").");
            return 3;
        }
        return failures.isEmpty() ? 0 : 1;
    }

    private @Nullable Path sidecarFile(Path root) {
        if (this.sidecar != null) {
            return this.sidecar;
        }
        for (String name : List.of("captions.csv", "captions.jsonl")) {
            if (Files.isRegularFile(root.resolve(name))) {
                return root.resolve(name);
            }
        }
        return null;
    }

    private boolean terminal() {
        return switch (this.progress) {
            case "bar" -> true;
            case "lines", "none" -> false;
            default -> System.console() != null && System.console().isTerminal();
        };
    }

    private Duration tick() {
        return terminal() ? Duration.ofMillis(200) : Duration.ofSeconds(5);
    }

    private static PrintStream nowhere() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }
}
