package io.xcomposer.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.xcomposer.deployment.RenderedChart.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/** helm lint --strict and helm template of helm/xcomposer, with the manifests checked through fabric8's model. */
class HelmChartTests {

    private static final String GPU = "nvidia.com/gpu";

    /** Who may call each component (the chart's NetworkPolicies; docs/operations.md, "Kubernetes"). */
    private static final Map<String, Set<String>> CALLERS = Map.of(
            "comprehension", Set.of("gateway", "composition"),
            "composition", Set.of("gateway", "composition"),
            "retrieval", Set.of("gateway", "composition"),
            "model-server", Set.of("comprehension", "composition", "retrieval"),
            "redis", Set.of("gateway", "comprehension", "composition", "retrieval"));

    static Stream<Arguments> renderings() {
        return Stream.of(
                Arguments.of("default values", RenderedChart.defaults()),
                Arguments.of("values-gpu.yaml", RenderedChart.gpu()));
    }

    @Test
    void lintStrictPassesWithTheDefaultValues() {
        assertLintClean(DeploymentFiles.chart());
    }

    @Test
    void lintStrictPassesWithTheGpuValues(@TempDir Path copy) throws IOException {
        // helm-java's lint takes no values file: lint a copy whose values.yaml is the defaults merged with the GPU
        // file.
        copyTree(DeploymentFiles.chart(), copy);
        Map<String, Object> merged = ValuesFiles.merge(
                DeploymentFiles.yaml(DeploymentFiles.chart().resolve("values.yaml")),
                DeploymentFiles.yaml(DeploymentFiles.chart().resolve("values-gpu.yaml")));
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(merged));
        assertLintClean(copy);
    }

    private static void assertLintClean(Path chart) {
        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed())
                .as("lint failed: %s", result.getMessages())
                .isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void everyContainerHasProbesResourcesAndANonRootReadOnlySecurityContext(String values, RenderedChart chart) {
        assertThat(chart.workloads()).hasSizeGreaterThanOrEqualTo(5);
        for (Workload workload : chart.workloads()) {
            PodSecurityContext pod = workload.template().getSpec().getSecurityContext();
            for (Container container : workload.containers()) {
                String what = workload.component() + "/" + container.getName();
                assertThat(container.getLivenessProbe())
                        .as("liveness of %s", what)
                        .isNotNull();
                assertThat(container.getReadinessProbe())
                        .as("readiness of %s", what)
                        .isNotNull();
                assertThat(container.getStartupProbe())
                        .as("startup probe of %s", what)
                        .isNotNull();
                assertResourcesAndSecurity(what, container, pod);
            }
            List<Container> init = workload.template().getSpec().getInitContainers();
            init.forEach(c -> assertResourcesAndSecurity(workload.component() + "/" + c.getName(), c, pod));
        }
    }

    private static void assertResourcesAndSecurity(String what, Container container, PodSecurityContext pod) {
        assertThat(container.getResources().getRequests())
                .as("requests of %s", what)
                .containsKeys("cpu", "memory");
        assertThat(container.getResources().getLimits())
                .as("limits of %s", what)
                .containsKeys("cpu", "memory");
        SecurityContext own = container.getSecurityContext();
        assertThat(own).as("security context of %s", what).isNotNull();
        Boolean nonRoot = own.getRunAsNonRoot() != null ? own.getRunAsNonRoot() : pod.getRunAsNonRoot();
        Long user = own.getRunAsUser() != null ? own.getRunAsUser() : pod.getRunAsUser();
        assertThat(nonRoot).as("runAsNonRoot of %s", what).isTrue();
        assertThat(user).as("runAsUser of %s", what).isNotNull().isPositive();
        assertThat(own.getAllowPrivilegeEscalation())
                .as("privilege escalation of %s", what)
                .isFalse();
        assertThat(own.getReadOnlyRootFilesystem())
                .as("read-only root of %s", what)
                .isTrue();
        assertThat(own.getCapabilities().getDrop())
                .as("dropped capabilities of %s", what)
                .contains("ALL");
        assertThat(container.getVolumeMounts())
                .as("a writable volume for %s, whose root is read-only", what)
                .anyMatch(m -> !Boolean.TRUE.equals(m.getReadOnly()));
    }

    @Test
    void gpuValuesPutGpusOnTritonOnly() {
        RenderedChart gpu = RenderedChart.gpu();
        List<String> withGpus = containersWithGpus(gpu);
        assertThat(withGpus).containsExactly("model-server/triton");
        Workload triton = gpu.workload("model-server");
        assertThat(triton.container().getResources().getLimits()).containsEntry(GPU, new Quantity("1"));
        assertThat(triton.template().getSpec().getTolerations()).anyMatch(t -> GPU.equals(t.getKey()));
        assertThat(triton.template().getSpec().getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        gpu.workloads().stream()
                .filter(w -> !"model-server".equals(w.component()))
                .forEach(w -> assertThat(w.template().getSpec().getTolerations())
                        .as("tolerations of %s", w.component())
                        .noneMatch(t -> GPU.equals(t.getKey())));

        RenderedChart cpu = RenderedChart.defaults();
        assertThat(containersWithGpus(cpu)).isEmpty();
        assertThat(cpu.workload("model-server").container().getImage()).contains("/cpu-inference-server:");
    }

    private static List<String> containersWithGpus(RenderedChart chart) {
        return chart.workloads().stream()
                .flatMap(w -> w.containers().stream()
                        .filter(c -> c.getResources().getLimits().containsKey(GPU)
                                || c.getResources().getRequests().containsKey(GPU))
                        .map(c -> w.component() + "/" + c.getName()))
                .toList();
    }

    @Test
    void tritonLoadsTheModelRepositoryBehindGenerousV2HealthProbes() {
        Container triton = RenderedChart.gpu().workload("model-server").container();
        assertThat(triton.getStartupProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
        int startupSeconds = triton.getStartupProbe().getPeriodSeconds()
                * triton.getStartupProbe().getFailureThreshold();
        assertThat(startupSeconds).as("time allowed to load the model").isGreaterThanOrEqualTo(600);
        assertThat(triton.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/live");
        assertThat(triton.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/health/ready");
        assertThat(triton.getArgs()).contains("--model-repository=/models", "--grpc-port=8001");
        assertThat(triton.getVolumeMounts()).anyMatch(m -> "/models".equals(m.getMountPath()) && m.getReadOnly());

        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("modelServer", "triton")))
                .hasMessageContaining("triton.modelRepository.existingClaim");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void networkPoliciesSelectWhatTheyClaim(String values, RenderedChart chart) {
        List<NetworkPolicy> policies = chart.all(NetworkPolicy.class);
        for (NetworkPolicy policy : policies) {
            String component = policy.getMetadata()
                    .getName()
                    .substring(RenderedChart.name("").length());
            Workload target = chart.workload(component);
            assertThat(selected(chart, policy.getSpec().getPodSelector().getMatchLabels()))
                    .as("pods selected by policy %s", component)
                    .containsExactly(component);
            NetworkPolicyIngressRule rule = policy.getSpec().getIngress().get(0);
            Set<Integer> containerPorts = target.container().getPorts().stream()
                    .map(p -> p.getContainerPort())
                    .collect(Collectors.toSet());
            assertThat(rule.getPorts())
                    .allMatch(p -> containerPorts.contains(p.getPort().getIntVal()));
            if ("gateway".equals(component)) {
                assertThat(rule.getFrom()).as("the gateway is open to clients").isEmpty();
            } else {
                Set<String> callers = rule.getFrom().stream()
                        .flatMap(peer -> callersOf(chart, peer).stream())
                        .collect(Collectors.toSet());
                assertThat(callers).as("callers let into %s", component).isEqualTo(CALLERS.get(component));
            }
        }
        Set<String> covered = policies.stream()
                .map(p -> p.getMetadata()
                        .getName()
                        .substring(RenderedChart.name("").length()))
                .collect(Collectors.toSet());
        assertThat(covered)
                .as("every workload has a policy")
                .containsAll(chart.workloads().stream().map(Workload::component).toList());
    }

    private static List<String> callersOf(RenderedChart chart, NetworkPolicyPeer peer) {
        assertThat(peer.getNamespaceSelector())
                .as("peers stay inside the namespace")
                .isNull();
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getPodSelector().getMatchExpressions()).isEmpty();
        return selected(chart, peer.getPodSelector().getMatchLabels());
    }

    private static List<String> selected(RenderedChart chart, Map<String, String> matchLabels) {
        assertThat(matchLabels).isNotEmpty();
        return chart.workloads().stream()
                .filter(w -> w.podLabels().entrySet().containsAll(matchLabels.entrySet()))
                .map(Workload::component)
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void hpasAreAutoscalingV2AndScaleExistingWorkloads(String values, RenderedChart chart) {
        List<HorizontalPodAutoscaler> hpas = chart.all(HorizontalPodAutoscaler.class);
        assertThat(hpas).hasSizeGreaterThanOrEqualTo(4);
        for (HorizontalPodAutoscaler hpa : hpas) {
            assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
            var target = hpa.getSpec().getScaleTargetRef();
            assertThat(chart.workloads())
                    .as("target of %s", hpa.getMetadata().getName())
                    .anyMatch(w -> w.object().getKind().equals(target.getKind())
                            && w.object().getMetadata().getName().equals(target.getName()));
            assertThat(hpa.getSpec().getMinReplicas())
                    .isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
        }
        chart.ofKind("HorizontalPodAutoscaler").forEach(h -> assertThat(h).isInstanceOf(HorizontalPodAutoscaler.class));
    }

    @Test
    void tritonScalesOnQueueTimeOverComputeTimeAndTheServicesOnCpu() {
        for (HorizontalPodAutoscaler hpa : RenderedChart.gpu().all(HorizontalPodAutoscaler.class)) {
            var metric = hpa.getSpec().getMetrics().get(0);
            if (hpa.getMetadata().getName().equals(RenderedChart.name("model-server"))) {
                assertThat(metric.getType()).isEqualTo("Pods");
                assertThat(metric.getPods().getMetric().getName()).isEqualTo("triton_queue_compute_ratio");
                assertThat(metric.getPods().getTarget().getAverageValue()).isEqualTo(new Quantity("1000m"));
            } else {
                assertThat(metric.getResource().getName()).isEqualTo("cpu");
                assertThat(metric.getResource().getTarget().getType()).isEqualTo("Utilization");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void portsMatchTheServicesConfiguration(String values, RenderedChart chart) {
        for (String service : List.of("gateway", "comprehension", "composition", "retrieval")) {
            int configured = ApplicationConfig.of(service + "-service").port("server.port");
            assertThat(port(chart.workload(service).container(), "http"))
                    .as(service)
                    .isEqualTo(configured);
        }
        int grpc = port(chart.workload("model-server").container(), "grpc");
        if (chart.all(io.fabric8.kubernetes.api.model.apps.Deployment.class).stream()
                .anyMatch(d -> d.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getName()
                        .equals("triton"))) {
            assertThat(grpc).isEqualTo(8001);
        } else {
            ApplicationConfig server = ApplicationConfig.of("cpu-inference-server");
            assertThat(grpc).isEqualTo(server.port("xcomposer.server.grpc-port"));
            assertThat(port(chart.workload("model-server").container(), "http")).isEqualTo(server.port("server.port"));
        }
        Service modelServer = service(chart, "model-server");
        assertThat(servicePort(modelServer, "grpc").getPort()).isEqualTo(grpc);
        for (String caller : List.of("comprehension", "composition", "retrieval")) {
            Container container = chart.workload(caller).container();
            assertThat(env(container, "XCOMPOSER_INFERENCE_HOST"))
                    .isEqualTo(modelServer.getMetadata().getName());
            assertThat(Integer.parseInt(env(container, "XCOMPOSER_INFERENCE_PORT")))
                    .isEqualTo(grpc);
        }
        Container gateway = chart.workload("gateway").container();
        for (String downstream : List.of("comprehension", "composition", "retrieval")) {
            String url = env(gateway, "XCOMPOSER_GATEWAY_" + downstream.toUpperCase() + "URL");
            Service target = service(chart, downstream);
            assertThat(url)
                    .isEqualTo("http://" + target.getMetadata().getName() + ":"
                            + servicePort(target, "http").getPort());
        }
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no port " + name))
                .getContainerPort();
    }

    static String env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> name.equals(e.getName()))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " has no env " + name));
    }

    private static Service service(RenderedChart chart, String component) {
        return chart.all(Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals(RenderedChart.name(component)))
                .findFirst()
                .orElseThrow();
    }

    private static ServicePort servicePort(Service service, String name) {
        return service.getSpec().getPorts().stream()
                .filter(p -> name.equals(p.getName()))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anUnknownTopLevelValueFailsSchemaValidation() {
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("unknownTopLevel", "x")))
                .hasMessageContaining("additional properties 'unknownTopLevel' not allowed");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("modelServer", "tpu")))
                .hasMessageContaining("modelServer");
    }

    @Test
    void anExistingSecretReplacesTheGeneratedOne() {
        RenderedChart generated = RenderedChart.defaults();
        assertThat(generated.ofKind("Secret")).hasSize(1);
        RenderedChart existing = RenderedChart.render(List.of(), Map.of("secrets.existingSecret", "platform-tokens"));
        assertThat(existing.ofKind("Secret")).isEmpty();
        List<String> referenced = existing.workloads().stream()
                .flatMap(w -> w.containers().stream())
                .flatMap(c -> c.getEnv().stream())
                .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                .map(e -> e.getValueFrom().getSecretKeyRef().getName())
                .toList();
        assertThat(referenced).isNotEmpty().containsOnly("platform-tokens");
    }

    @Test
    void redisIsInTheReleaseOrExternal() {
        assertThat(RenderedChart.defaults().workload("redis").container().getArgs())
                .containsSequence("--appendonly", "yes");
        RenderedChart gpu = RenderedChart.gpu();
        assertThat(gpu.workloads()).noneMatch(w -> "redis".equals(w.component()));
        Container retrieval = gpu.workload("retrieval").container();
        assertThat(env(retrieval, "SPRING_DATA_REDIS_SENTINEL_MASTER")).isEqualTo("xcomposer");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("redis.enabled", "false")))
                .hasMessageContaining("externalRedis.host");
    }

    @Test
    void retrievalCanUseAnOpenSearchCluster(@TempDir Path dir) throws Exception {
        Container lucene = RenderedChart.defaults().workload("retrieval").container();
        assertThat(env(lucene, "XCOMPOSER_RETRIEVAL_INDEX_ENGINE")).isEqualTo("lucene");
        assertThat(lucene.getEnv()).noneMatch(e -> e.getName().startsWith("XCOMPOSER_RETRIEVAL_INDEX_OPENSEARCH"));

        // A values file (an absolute path resolves as itself), as an operator would write it.
        Path values = Files.writeString(dir.resolve("opensearch.yaml"), """
                retrieval:
                  index:
                    engine: opensearch
                    opensearch:
                      uris: [https://os-0.search:9200, https://os-1.search:9200]
                      credentialsSecret: gallery-opensearch
                """);
        Container opensearch = RenderedChart.render(List.of(values.toString()), Map.of())
                .workload("retrieval")
                .container();
        assertThat(env(opensearch, "XCOMPOSER_RETRIEVAL_INDEX_ENGINE")).isEqualTo("opensearch");
        assertThat(env(opensearch, "XCOMPOSER_RETRIEVAL_INDEX_OPENSEARCH_URIS"))
                .isEqualTo("https://os-0.search:9200,https://os-1.search:9200");
        assertThat(env(opensearch, "XCOMPOSER_RETRIEVAL_INDEX_OPENSEARCH_INDEX"))
                .isEqualTo("xcomposer-gallery");
        assertThat(opensearch.getEnv())
                .filteredOn(e -> e.getName().equals("XCOMPOSER_RETRIEVAL_INDEX_OPENSEARCH_PASSWORD"))
                .singleElement()
                .satisfies(e ->
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("gallery-opensearch"));
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("retrieval.index.engine", "opensearch")))
                .hasMessageContaining("retrieval.index.opensearch.uris");
    }

    @Test
    void serviceMonitorsOnlyWhenAskedFor() {
        assertThat(RenderedChart.defaults().ofKind("ServiceMonitor")).isEmpty();
        List<HasMetadata> monitors = RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", "true"))
                .ofKind("ServiceMonitor");
        assertThat(monitors).hasSize(5);
        assertThat(RenderedChart.gpu().ofKind("ServiceMonitor")).hasSize(5);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
