package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a run measured and how: written as {@code report.md}, {@code report.json} and {@code report.svg} (the
 * per-category bar chart) next to the run's {@code results.jsonl}.
 */
public record BenchmarkReport(
        String benchmark, String data, String endpoint, String model, String promptStyle, int items, Score score) {

    private static final JsonMapper JSON =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public void write(Path folder) throws IOException {
        Files.createDirectories(folder);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", benchmark);
        json.put("data", data);
        json.put("endpoint", endpoint);
        json.put("model", model);
        json.put("prompt_style", promptStyle);
        json.put("items", items);
        json.put("headline", score.headline());
        json.put("score", score);
        Files.writeString(folder.resolve("report.json"), JSON.writeValueAsString(json), StandardCharsets.UTF_8);
        Files.writeString(folder.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(
                folder.resolve("report.svg"),
                SvgBarChart.render(score.chartTitle(), score.chart(), score.chartMax()),
                StandardCharsets.UTF_8);
    }

    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("## ").append(benchmark).append("\n\n");
        md.append("Data `")
                .append(data)
                .append("` (")
                .append(items)
                .append(" items); endpoint `")
                .append(endpoint);
        md.append("`, model `")
                .append(model)
                .append("`, prompt style `")
                .append(promptStyle)
                .append("`.\n\n");
        md.append("| metric | value |\n|---|---:|\n");
        score.headline()
                .forEach((k, v) ->
                        md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        for (ReportTable table : score.tables()) {
            md.append("\n").append(table.title()).append("\n\n");
            md.append(row(table.header()));
            md.append("|---").append("|---:".repeat(table.header().size() - 1)).append("|\n");
            table.rows().forEach(r -> md.append(row(r)));
        }
        return md.toString();
    }

    private static String row(List<String> cells) {
        return "| " + String.join(" | ", cells) + " |\n";
    }
}
