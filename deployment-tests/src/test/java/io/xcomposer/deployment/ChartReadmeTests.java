package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The chart's README documents every value of values.yaml, and documents nothing that is not one. */
class ChartReadmeTests {

    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([A-Za-z0-9.]+)` \\|");

    @Test
    void theValuesTableListsEveryValue() {
        List<String> values = ValuesFiles.leafPaths(DeploymentFiles.yaml(RenderedChart.chartFile("values.yaml")));
        List<String> documented = documented();
        assertThat(values).hasSizeGreaterThan(50);
        assertThat(documented).as("values documented in README.md").containsAll(values);
        assertThat(values).as("README rows that are values").containsAll(documented);
    }

    @Test
    void theGpuValuesFileSetsOnlyDocumentedValues() {
        List<String> gpu = ValuesFiles.leafPaths(DeploymentFiles.yaml(RenderedChart.chartFile("values-gpu.yaml")));
        assertThat(documented()).containsAll(gpu);
    }

    private static List<String> documented() {
        Matcher row = ROW.matcher(DeploymentFiles.read(RenderedChart.chartFile("README.md")));
        return row.results().map(r -> r.group(1)).toList();
    }
}
