package io.xcomposer.evaluation.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tab-separated file with a header row, as pandas writes the MMBench, CCBench and MME TSVs: a field that holds a
 * tab, a line break or a quote is quoted with {@code "} and its quotes doubled. Rows are maps from header to
 * field ({@code ""} for a missing trailing field).
 */
public final class TsvTable {

    private TsvTable() {}

    public static List<Map<String, String>> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        return parse(text);
    }

    static List<Map<String, String>> parse(String text) {
        List<List<String>> records = records(text);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("empty TSV: no header row");
        }
        List<String> header = records.get(0);
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> record : records.subList(1, records.size())) {
            if (record.size() == 1 && record.get(0).isEmpty()) {
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i).strip(), i < record.size() ? record.get(i) : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> records(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean fieldStart = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && fieldStart) {
                quoted = true;
                fieldStart = false;
            } else if (c == '\t' || c == '\n') {
                record.add(stripCarriageReturn(field));
                field.setLength(0);
                fieldStart = true;
                if (c == '\n') {
                    records.add(record);
                    record = new ArrayList<>();
                }
            } else {
                field.append(c);
                fieldStart = false;
            }
        }
        if (field.length() > 0 || !record.isEmpty()) {
            record.add(stripCarriageReturn(field));
            records.add(record);
        }
        return records;
    }

    private static String stripCarriageReturn(StringBuilder field) {
        int end = field.length();
        return end > 0 && field.charAt(end - 1) == '\r' ? field.substring(0, end - 1) : field.toString();
    }
}
