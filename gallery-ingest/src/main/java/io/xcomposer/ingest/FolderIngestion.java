package io.xcomposer.ingest;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * One run over a folder: lists its images (sorted, so runs visit them in the same order), and ingests each one on a
 * pool of {@code concurrency} threads. Per image: hash the bytes; done in the state file → skip; the gallery holds
 * its id ({@code img_} + the first 24 hex digits of SHA-256, retrieval's id rule) → record and skip; else upload
 * (the gallery is idempotent by content anyway, so a lost answer costs only the repeat) and record.
 */
final class FolderIngestion {

    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "gif");

    private final Path folder;
    private final Sidecar sidecar;
    private final IngestState state;
    private final GalleryClient gallery;
    private final int concurrency;
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicReference<String> fatal = new AtomicReference<>();

    FolderIngestion(Path folder, Sidecar sidecar, IngestState state, GalleryClient gallery, int concurrency) {
        this.folder = folder;
        this.sidecar = sidecar;
        this.state = state;
        this.gallery = gallery;
        this.concurrency = concurrency;
    }

    /** The images under {@code folder}, by relative path, leaving out {@code exclude} (the state file, the sidecar). */
    static List<Path> images(Path folder, Set<Path> exclude) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !exclude.contains(file.toAbsolutePath().normalize()))
                    .filter(file -> IMAGE_EXTENSIONS.contains(extension(file)))
                    .sorted()
                    .toList();
        }
    }

    /** Ingests every image; the progress line goes to {@code out} every {@code every}. */
    Progress run(List<Path> images, PrintStream out, boolean terminal, Duration every) throws InterruptedException {
        Progress progress = new Progress(images.size());
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().factory());
        ticker.scheduleAtFixedRate(() -> progress.draw(out, terminal), 0, every.toMillis(), TimeUnit.MILLISECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(this.concurrency);
        try {
            for (Path image : images) {
                pool.execute(() -> ingest(image, progress));
            }
            pool.shutdown();
            while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
                // waits for the queue to drain; an interrupt (Ctrl-C) ends the wait
            }
        } finally {
            pool.shutdownNow();
            ticker.shutdownNow();
            progress.draw(out, terminal);
            if (terminal) {
                out.println();
            }
        }
        return progress;
    }

    List<String> failures() {
        return new ArrayList<>(this.failures);
    }

    /** Why the run stopped early (a refused key), if it did. */
    String fatal() {
        return this.fatal.get();
    }

    private void ingest(Path image, Progress progress) {
        String relative = this.folder.relativize(image).toString().replace('\\', '/');
        if (this.fatal.get() != null) {
            return;
        }
        try {
            byte[] bytes = Files.readAllBytes(image);
            String sha256 = sha256(bytes);
            if (this.state.isDone(sha256)) {
                progress.skipped.incrementAndGet();
                return;
            }
            String id = "img_" + sha256.substring(0, 24);
            if (this.gallery.exists(id)) {
                this.state.record(sha256, relative, id, "exists");
                progress.existing.incrementAndGet();
                return;
            }
            GalleryClient.Ingested ingested = this.gallery.ingest(bytes, relative, this.sidecar.of(relative));
            this.state.record(sha256, relative, ingested.id(), ingested.created() ? "created" : "exists");
            (ingested.created() ? progress.created : progress.existing).incrementAndGet();
        } catch (GalleryClient.GalleryException e) {
            if (e.fatal()) {
                this.fatal.compareAndSet(null, e.getMessage());
            }
            fail(relative, e.getMessage(), progress);
        } catch (IOException | UncheckedIOException e) {
            fail(relative, e.toString(), progress);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void fail(String relative, String why, Progress progress) {
        this.failures.add(relative + ": " + why);
        progress.failed.incrementAndGet();
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
