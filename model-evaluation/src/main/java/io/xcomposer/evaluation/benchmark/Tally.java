package io.xcomposer.evaluation.benchmark;

/** {@code correct} of {@code total}. */
public record Tally(int correct, int total) {

    public static final Tally ZERO = new Tally(0, 0);

    public Tally plus(boolean right) {
        return new Tally(correct + (right ? 1 : 0), total + 1);
    }

    public Tally plus(Tally other) {
        return new Tally(correct + other.correct, total + other.total);
    }

    /** Percent, 0 when empty. */
    public double percent() {
        return total == 0 ? 0 : 100.0 * correct / total;
    }

    public String format() {
        return String.format(java.util.Locale.ROOT, "%.1f%% (%d/%d)", percent(), correct, total);
    }
}
