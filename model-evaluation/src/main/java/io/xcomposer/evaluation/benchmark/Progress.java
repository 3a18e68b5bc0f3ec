package io.xcomposer.evaluation.benchmark;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** A one-line progress bar on the console (stderr), redrawn at most every half second. */
final class Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;

    private final String label;

    private final int total;

    private final int resumed;

    private final AtomicInteger done;

    private final long started = System.nanoTime();

    private volatile long lastDrawn;

    Progress(PrintStream out, String label, int total, int resumed) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.resumed = resumed;
        this.done = new AtomicInteger(resumed);
    }

    void advance() {
        int now = done.incrementAndGet();
        long t = System.nanoTime();
        if (now == total || t - lastDrawn > 500_000_000L) {
            lastDrawn = t;
            draw(now);
        }
    }

    void finish() {
        draw(done.get());
        out.println();
    }

    private synchronized void draw(int now) {
        double seconds = (System.nanoTime() - started) / 1e9;
        double rate = (now - resumed) / Math.max(seconds, 1e-3);
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * now / total);
        long eta = rate > 0 ? (long) ((total - now) / rate) : 0;
        out.printf(
                "\r%s [%s%s] %d/%d %.1f/s eta %s%s",
                label,
                "#".repeat(filled),
                " ".repeat(WIDTH - filled),
                now,
                total,
                rate,
                Duration.ofSeconds(eta).toString().substring(2).toLowerCase(java.util.Locale.ROOT),
                resumed > 0 ? " (" + resumed + " resumed)" : "");
        out.flush();
    }
}
