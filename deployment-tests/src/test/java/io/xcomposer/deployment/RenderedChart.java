package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The chart rendered by Helm (helm-java bundles Helm as a native library) and parsed into fabric8's typed model.
 *
 * @param manifests every rendered object, in rendering order
 */
record RenderedChart(List<HasMetadata> manifests) {

    static final String RELEASE = "xc";

    /** Kubernetes version the offline render assumes (the chart needs 1.26+ for autoscaling/v2 and policy/v1). */
    static final String KUBE_VERSION = "1.32.0";

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /** Renders with the default values plus the given values files (relative to the chart) and --set pairs. */
    static RenderedChart render(List<String> valuesFiles, Map<String, String> sets) {
        TemplateCommand template =
                new Helm(DeploymentFiles.chart()).template().withName(RELEASE).withKubeVersion(KUBE_VERSION);
        for (String file : valuesFiles) {
            template = template.withValuesFile(DeploymentFiles.chart().resolve(file));
        }
        for (Map.Entry<String, String> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return parse(template.call());
    }

    static RenderedChart defaults() {
        return render(List.of(), Map.of());
    }

    static RenderedChart gpu() {
        return render(List.of("values-gpu.yaml"), Map.of());
    }

    static RenderedChart parse(String yaml) {
        List<HasMetadata> objects = Arrays.stream(yaml.split("(?m)^---\\s*$"))
                .filter(RenderedChart::hasContent)
                .map(document -> SERIALIZATION.unmarshal(document, HasMetadata.class))
                .toList();
        return new RenderedChart(objects);
    }

    private static boolean hasContent(String document) {
        return document.lines().map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("#"));
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
        return this.manifests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    List<HasMetadata> ofKind(String kind) {
        return this.manifests.stream().filter(m -> kind.equals(m.getKind())).toList();
    }

    /** Deployments and StatefulSets with their pod templates. */
    List<Workload> workloads() {
        List<Workload> deployments = all(Deployment.class).stream()
                .map(d -> new Workload(d, d.getSpec().getTemplate()))
                .toList();
        List<Workload> statefulSets = all(StatefulSet.class).stream()
                .map(s -> new Workload(s, s.getSpec().getTemplate()))
                .toList();
        return java.util.stream.Stream.concat(deployments.stream(), statefulSets.stream())
                .toList();
    }

    Workload workload(String component) {
        Optional<Workload> found = workloads().stream()
                .filter(w -> component.equals(w.component()))
                .findFirst();
        assertThat(found).as("workload of component %s", component).isPresent();
        return found.get();
    }

    static String name(String component) {
        return RELEASE + "-xcomposer-" + component;
    }

    /** A workload and its pod template. */
    record Workload(HasMetadata object, PodTemplateSpec template) {

        String component() {
            return this.template.getMetadata().getLabels().get("app.kubernetes.io/component");
        }

        Map<String, String> podLabels() {
            return this.template.getMetadata().getLabels();
        }

        List<Container> containers() {
            return this.template.getSpec().getContainers();
        }

        Container container() {
            assertThat(containers()).as("containers of %s", component()).hasSize(1);
            return containers().get(0);
        }
    }

    static Path chartFile(String relative) {
        return DeploymentFiles.chart().resolve(relative);
    }
}
