package io.xcomposer.evaluation.benchmark;

import java.util.List;

/** A table of a report, rendered as Markdown. */
public record ReportTable(String title, List<String> header, List<List<String>> rows) {

    public ReportTable {
        header = List.copyOf(header);
        rows = rows.stream().map(List::copyOf).toList();
    }
}
