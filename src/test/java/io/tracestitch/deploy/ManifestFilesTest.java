package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every YAML file under deploy/k8s, one by one, as written: each is used by some kustomization, and
 * each parses strictly as what it is (a resource into its Kubernetes type or custom-resource schema,
 * a strategic merge patch into the type it patches, a JSON patch into known operations).
 */
class ManifestFilesTest {

  @Test
  void shouldUseEveryYamlFileUnderDeployK8sInSomeKustomization() throws IOException {
    List<Path> used = Deployment.variants().stream()
        .flatMap(v -> Kustomize.files(Deployment.K8S.resolve(v)).keySet().stream()).distinct().toList();

    assertThat(yamlFiles()).allSatisfy(file -> assertThat(used).as("kustomization files using %s", file)
        .contains(file));
    assertThat(yamlFiles()).hasSizeGreaterThanOrEqualTo(15);
  }

  @Test
  void shouldParseEveryFileStrictlyAsWhatItIs() {
    List<String> problems = new ArrayList<>();
    Map<Path, Kustomize.Role> roles = new java.util.LinkedHashMap<>();
    Deployment.variants().forEach(v -> roles.putAll(Kustomize.files(Deployment.K8S.resolve(v))));

    roles.forEach((file, role) -> {
      for (JsonNode document : YamlDocuments.read(file)) {
        List<String> found = switch (role) {
          case KUSTOMIZATION -> Kustomize.KUSTOMIZATION.problems(document);
          case RESOURCE -> KubernetesModel.problems(document);
          case STRATEGIC_MERGE_PATCH -> KubernetesModel.problemsOfPatch(document);
          case JSON_PATCH -> Kustomize.JSON_PATCH.problems(document);
        };
        found.forEach(p -> problems.add(file + ": " + p));
      }
    });

    assertThat(roles).containsValues(Kustomize.Role.values());
    assertThat(problems).isEmpty();
  }

  @Test
  void shouldCommitNoSecret() {
    for (String variant : Deployment.variants()) {
      assertThat(Deployment.render(variant).ofKind("Secret")).as(variant).isEmpty();
    }
  }

  // The checks above must be able to fail: each of these is a broken manifest they reject.

  @Test
  void shouldRejectAnUnknownFieldDeepInsideABuiltInKind() {
    JsonNode broken = YamlDocuments.parse("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: tracestitch}
        spec:
          serviceName: tracestitch-headless
          selector: {matchLabels: {app: x}}
          template:
            metadata: {labels: {app: x}}
            spec:
              containers:
                - name: tracestitch
                  image: x
                  livenessProbes: {httpGet: {path: /healthz, port: http}}
        """);

    assertThat(KubernetesModel.problems(broken)).singleElement().asString().contains("livenessProbes");
  }

  @Test
  void shouldRejectWhatTheApiServerWouldNotCoerce() {
    JsonNode quotedNumber = YamlDocuments.parse("""
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: tracestitch}
        spec: {replicas: "3"}
        """);
    JsonNode unquotedAnnotation = YamlDocuments.parse("""
        apiVersion: v1
        kind: Service
        metadata: {name: tracestitch, annotations: {prometheus.io/scrape: true}}
        """);

    assertThat(KubernetesModel.problems(quotedNumber)).singleElement().asString().contains("replicas");
    assertThat(KubernetesModel.problems(unquotedAnnotation)).singleElement().asString().contains("annotations");
  }

  @Test
  void shouldRejectAnUnknownKindOrAnOldApiVersion() {
    JsonNode oldBudget = YamlDocuments.parse("""
        apiVersion: policy/v1beta1
        kind: PodDisruptionBudget
        metadata: {name: tracestitch}
        spec: {maxUnavailable: 1}
        """);

    assertThat(KubernetesModel.problems(oldBudget)).singleElement().asString()
        .contains("unknown apiVersion/kind policy/v1beta1/PodDisruptionBudget");
  }

  @Test
  void shouldRejectAMisspeltFieldOrAnUnquotedNumberInACustomResource() {
    JsonNode scaledObject = YamlDocuments.parse("""
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: tracestitch}
        spec:
          scaleTargetRef: {name: tracestitch}
          maxReplicaCount: 6
          triggers:
            - type: kafka
              metadata: {bootstrapServers: k:9092, consumerGroup: tracestitch, topic: otlp_spans,
                         lagThreshold: 1000, offsetResetPolicy: earliest, allowIdleConsumer: "false"}
        """);

    assertThat(KubernetesModel.problems(scaledObject))
        .anySatisfy(p -> assertThat(p).contains("lagThreshold").contains("found 1000"))
        .anySatisfy(p -> assertThat(p).contains("unknown field 'allowIdleConsumer'"))
        .hasSize(2);
  }

  @Test
  void shouldRejectADuplicatedKey() {
    assertThatThrownBy(() -> YamlDocuments.parse("""
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: a}
        metadata: {name: b}
        """)).hasMessageContaining("Duplicate field 'metadata'");
  }

  private static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(Deployment.K8S)) {
      return files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .map(Path::normalize).sorted().toList();
    }
  }
}
