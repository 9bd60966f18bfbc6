package io.tracestitch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.tracestitch.config.ConfigFiles;
import io.tracestitch.config.TracestitchConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One rendered variant of deploy/k8s (the base or an overlay), with the questions the tests ask of
 * it: the StatefulSet's one container, its environment as the kubelet would expand it, and the
 * configuration tracestitch would load from the mounted file and the environment.
 */
final class Deployment {
  static final Path K8S = Path.of("deploy/k8s");
  static final String APP = "tracestitch";
  /** The pod the expanded environment pretends to be. */
  static final String SAMPLE_POD = "tracestitch-0";
  static final String SAMPLE_NAMESPACE = "observability";

  final String variant;
  final List<ObjectNode> resources;

  private Deployment(String variant, List<ObjectNode> resources) {
    this.variant = variant;
    this.resources = resources;
  }

  /** The base and every overlay under deploy/k8s/overlays. */
  static List<String> variants() {
    try (Stream<Path> overlays = Files.list(K8S.resolve("overlays"))) {
      return Stream.concat(Stream.of("base"),
          overlays.filter(Files::isDirectory).map(p -> "overlays/" + p.getFileName()).sorted()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Deployment render(String variant) {
    return new Deployment(variant, Kustomize.build(K8S.resolve(variant)));
  }

  static Deployment of(List<ObjectNode> resources) {
    return new Deployment("test", resources);
  }

  @Override
  public String toString() {
    return variant;
  }

  List<ObjectNode> ofKind(String kind) {
    return resources.stream().filter(r -> r.path("kind").asText().equals(kind)).toList();
  }

  ObjectNode one(String kind, String name) {
    return ofKind(kind).stream().filter(r -> r.path("metadata").path("name").asText().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(variant + " has no " + kind + " " + name));
  }

  <T> T one(String kind, String name, Class<T> type) {
    return KubernetesModel.as(one(kind, name), type);
  }

  StatefulSet statefulSet() {
    return one("StatefulSet", APP, StatefulSet.class);
  }

  Service service(String name) {
    return one("Service", name, Service.class);
  }

  Container container() {
    List<Container> containers = statefulSet().getSpec().getTemplate().getSpec().getContainers();
    return containers.stream().filter(c -> c.getName().equals(APP)).findFirst()
        .orElseThrow(() -> new AssertionError(variant + ": no container named " + APP));
  }

  /** The volume mounted at exactly {@code mountPath}, or null. */
  VolumeMount mountAt(String mountPath) {
    return container().getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath)).findFirst()
        .orElse(null);
  }

  Volume volume(String name) {
    return statefulSet().getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name)).findFirst().orElse(null);
  }

  /** The value after {@code --config} in the container's args. */
  Path configFile() {
    List<String> args = container().getArgs();
    int at = args.indexOf("--config");
    if (at < 0 || at + 1 >= args.size()) {
      throw new AssertionError(variant + ": the container's args " + args + " have no --config FILE");
    }
    return Path.of(args.get(at + 1));
  }

  /** The ConfigMap mounted where {@link #configFile()} points, and the key that becomes that file. */
  ConfigMap configMapOfConfigFile() {
    VolumeMount mount = mountAt(configFile().getParent().toString());
    if (mount == null) {
      throw new AssertionError(variant + ": nothing is mounted at " + configFile().getParent());
    }
    Volume volume = volume(mount.getName());
    if (volume == null || volume.getConfigMap() == null) {
      throw new AssertionError(variant + ": the volume mounted at " + mount.getMountPath() + " is not a ConfigMap");
    }
    return one("ConfigMap", volume.getConfigMap().getName(), ConfigMap.class);
  }

  /** The text of the settings file as the container sees it. */
  String configFileText() {
    ConfigMap configMap = configMapOfConfigFile();
    String key = configFile().getFileName().toString();
    String text = configMap.getData() == null ? null : configMap.getData().get(key);
    if (text == null) {
      throw new AssertionError(variant + ": ConfigMap " + configMap.getMetadata().getName() + " has no key " + key);
    }
    return text;
  }

  /** The settings file read exactly as tracestitch reads it (ConfigFiles), from a copy in {@code dir}. */
  Map<String, String> fileSettings(Path dir) {
    try {
      Path file = dir.resolve(configFile().getFileName().toString());
      Files.writeString(file, configFileText());
      return ConfigFiles.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The container's environment as the kubelet builds it: {@code $(VAR)} replaced by a variable
   * defined earlier in the list (left as it is otherwise, as Kubernetes does), downward-API fields
   * from the sample pod, Secret references as a placeholder naming the Secret and key.
   */
  Map<String, String> environment() {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container().getEnv()) {
      String value;
      if (var.getValueFrom() == null) {
        value = expand(var.getValue() == null ? "" : var.getValue(), env);
      } else if (var.getValueFrom().getFieldRef() != null) {
        value = switch (var.getValueFrom().getFieldRef().getFieldPath()) {
          case "metadata.name" -> SAMPLE_POD;
          case "metadata.namespace" -> SAMPLE_NAMESPACE;
          default -> throw new AssertionError("unexpected fieldRef " + var.getValueFrom().getFieldRef().getFieldPath());
        };
      } else if (var.getValueFrom().getSecretKeyRef() != null) {
        value = "secret:" + var.getValueFrom().getSecretKeyRef().getName() + "/"
            + var.getValueFrom().getSecretKeyRef().getKey();
      } else {
        throw new AssertionError(variant + ": env " + var.getName() + " uses a source these tests do not model");
      }
      env.put(var.getName(), value);
    }
    return env;
  }

  private static final Pattern REFERENCE = Pattern.compile("\\$\\$|\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  static String expand(String value, Map<String, String> defined) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement = m.group(1) == null ? "$" : defined.getOrDefault(m.group(1), m.group());
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** What tracestitch would run with: the mounted file, then TRACESTITCH_* variables (RunCommand's order). */
  TracestitchConfig effectiveConfig(Path dir) {
    return TracestitchConfig.load(fileSettings(dir), environment(), Map.of());
  }
}
