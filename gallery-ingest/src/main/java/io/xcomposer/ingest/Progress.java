package io.xcomposer.ingest;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts of a run and their display: on a terminal a bar redrawn in place ({@code \r}), elsewhere (CI logs, pipes)
 * a plain line now and then, so logs stay readable.
 */
final class Progress {

    private static final int WIDTH = 30;

    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger existing = new AtomicInteger();
    final AtomicInteger skipped = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();

    private final int total;
    private final long started = System.nanoTime();

    Progress(int total) {
        this.total = total;
    }

    int finished() {
        return this.created.get() + this.existing.get() + this.skipped.get() + this.failed.get();
    }

    int total() {
        return this.total;
    }

    /** One line: {@code [#####-----] 120/400 30% · 100 new · 15 there · 5 resumed · 0 failed · 12.0/s · ETA 23s}. */
    String line() {
        int done = finished();
        double fraction = this.total == 0 ? 1 : (double) done / this.total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(1e-3, (System.nanoTime() - this.started) / 1e9);
        int worked = done - this.skipped.get();
        double rate = worked / seconds;
        String eta = rate > 0 && done < this.total
                ? " · ETA " + format(Duration.ofSeconds(Math.round((this.total - done) / rate)))
                : "";
        return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + this.total + " "
                + Math.round(fraction * 100) + "% · " + this.created.get() + " new · " + this.existing.get()
                + " already there · " + this.skipped.get() + " done before · " + this.failed.get() + " failed · "
                + String.format("%.1f/s", rate) + eta;
    }

    void draw(PrintStream out, boolean terminal) {
        if (terminal) {
            out.print("\r" + line() + "\u001b[K");
        } else {
            out.println(line());
        }
        out.flush();
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - this.started);
    }

    static String format(Duration duration) {
        long s = duration.toSeconds();
        return s >= 3600
                ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
