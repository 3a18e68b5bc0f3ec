package io.xcomposer.evaluation.benchmark;

import java.util.Locale;
import java.util.Map;

/** A horizontal bar chart as standalone SVG: one labelled bar per category, scaled to a fixed maximum. */
final class SvgBarChart {

    private static final int LABEL_WIDTH = 300;

    private static final int BAR_WIDTH = 400;

    private static final int ROW = 24;

    private SvgBarChart() {}

    static String render(String title, Map<String, Double> bars, double max) {
        int height = 40 + ROW * bars.size() + 10;
        int width = LABEL_WIDTH + BAR_WIDTH + 80;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\""
                        + " font-size=\"13\">\n",
                width,
                height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append("<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">")
                .append(escape(title))
                .append("</text>\n");
        int y = 40;
        for (Map.Entry<String, Double> bar : bars.entrySet()) {
            double value = bar.getValue();
            int length = (int) Math.round(BAR_WIDTH * Math.max(0, Math.min(value, max)) / max);
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#4878a8\"/>\n"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"none\" stroke=\"#999\"/>\n"
                            + "<text x=\"%d\" y=\"%d\">%.1f</text>\n",
                    LABEL_WIDTH - 8,
                    y + 13,
                    escape(bar.getKey()),
                    LABEL_WIDTH,
                    y,
                    length,
                    LABEL_WIDTH,
                    y,
                    BAR_WIDTH,
                    LABEL_WIDTH + BAR_WIDTH + 6,
                    y + 13,
                    value));
            y += ROW;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
