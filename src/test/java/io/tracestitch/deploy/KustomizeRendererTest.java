package io.tracestitch.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The test-code kustomize renderer, against fixed expectations and, where installed, against kubectl. */
class KustomizeRendererTest {
  static final Path FIXTURE = Path.of("src/test/resources/deploy/kustomize-merge");

  @Test
  void shouldMergeListsByKeyReplaceOthersAndDeleteNulls() {
    Map<String, ObjectNode> rendered = byKey(Kustomize.build(FIXTURE.resolve("overlay")));
    JsonNode pod = rendered.get("StatefulSet/sample").path("spec").path("template").path("spec");
    JsonNode main = pod.path("containers").get(1);

    assertThat(names(pod.path("containers"), "name")).containsExactly("sidecar", "main");
    assertThat(pod.path("containers").get(0).path("image").asText()).isEqualTo("sidecar:2");
    assertThat(names(main.path("env"), "name")).containsExactly("B", "D", "A", "C");
    assertThat(main.path("env").get(0).path("value").asText()).isEqualTo("20");
    assertThat(names(main.path("args"), null)).containsExactly("z");
    assertThat(main.path("resources").path("limits").has("cpu")).isFalse();
    assertThat(main.path("resources").path("limits").path("memory").asText()).isEqualTo("1Gi");
    assertThat(names(main.path("ports"), "name")).containsExactly("metrics", "http");
    assertThat(names(pod.path("topologySpreadConstraints"), "topologyKey")).containsExactly("host", "zone");
    assertThat(pod.path("topologySpreadConstraints").get(1).path("maxSkew").asInt()).isEqualTo(2);
    // The JSON patch ran after the strategic one: v3 first, v1 removed, v4 appended.
    assertThat(names(pod.path("volumes"), "name")).containsExactly("v3", "v2", "v4");
    assertThat(rendered.get("StatefulSet/sample").path("spec").path("serviceName").asText()).isEqualTo("renamed");
    assertThat(names(rendered.get("Service/sample").path("spec").path("ports"), "name")).containsExactly("admin", "http");
  }

  @Test
  void shouldFailWhenAJsonPatchTestFails(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n");
    Files.writeString(dir.resolve("p.yaml"), "- {op: test, path: /data/k, value: other}\n");
    Files.writeString(dir.resolve(Kustomize.FILE), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [cm.yaml]
        patches:
          - path: p.yaml
            target: {kind: ConfigMap, name: c}
        """);

    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("test failed at /data/k");
  }

  @Test
  void shouldRefuseWhatItDoesNotImplementRatherThanRenderItDifferently(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
    Files.writeString(dir.resolve(Kustomize.FILE), """
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        namePrefix: prod-
        resources: [cm.yaml]
        """);

    assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("unknown field 'namePrefix'");
  }

  static Stream<Path> kustomizations() {
    return Stream.concat(Deployment.variants().stream().map(Deployment.K8S::resolve),
        Stream.of(FIXTURE.resolve("overlay")));
  }

  /** Runs only where kubectl is installed (it is on this project's machines); skipped elsewhere. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  void shouldRenderExactlyWhatKubectlKustomizeRenders(Path dir) throws Exception {
    assumeTrue(kubectlAvailable(), "kubectl is not installed");
    Process kubectl = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(false).start();
    byte[] out = kubectl.getInputStream().readAllBytes();
    String err = new String(kubectl.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(kubectl.exitValue()).as(err).isZero();
    Path rendered = Files.createTempFile("kubectl-kustomize", ".yaml");
    try {
      Files.write(rendered, out);
      Map<String, ObjectNode> expected = byKey(YamlDocuments.read(rendered).stream().map(ObjectNode.class::cast).toList());

      Map<String, ObjectNode> actual = byKey(Kustomize.build(dir));

      assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
      expected.forEach((key, resource) -> assertThat(actual.get(key)).as(key).isEqualTo(resource));
    } finally {
      Files.deleteIfExists(rendered);
    }
  }

  private static boolean kubectlAvailable() {
    try {
      Process p = new ProcessBuilder("kubectl", "version", "--client").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Map<String, ObjectNode> byKey(List<ObjectNode> resources) {
    Map<String, ObjectNode> map = new TreeMap<>();
    resources.forEach(r -> map.put(r.path("kind").asText() + "/" + r.path("metadata").path("name").asText(), r));
    return map;
  }

  private static List<String> names(JsonNode list, String field) {
    return java.util.stream.StreamSupport.stream(list.spliterator(), false)
        .map(e -> field == null ? e.asText() : e.path(field).asText()).toList();
  }
}
