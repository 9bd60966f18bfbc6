package io.tracestitch.deploy;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of {@code kustomize build} this deployment uses, in test code: no kustomize implementation
 * is published on Maven Central. A kustomization may list {@code resources} (files or directories
 * with a kustomization of their own) and {@code patches} by {@code path}: a strategic merge patch
 * (an object naming its target by apiVersion, kind and name) or a JSON 6902 patch (a list of
 * operations, with a {@code target}). Anything else (generators, name prefixes, inline patches,
 * {@code $patch} directives, lists whose merge rule is not known here) fails instead of being
 * rendered differently from kustomize. Where kubectl is installed, {@code KustomizeRendererTest}
 * compares this renderer's output with {@code kubectl kustomize} for every overlay.
 */
final class Kustomize {
  static final String FILE = "kustomization.yaml";

  /** What a file under deploy/k8s is to kustomize. */
  enum Role { KUSTOMIZATION, RESOURCE, STRATEGIC_MERGE_PATCH, JSON_PATCH }

  static final Shape KUSTOMIZATION = Shape.object()
      .required("apiVersion", Shape.oneOf("kustomize.config.k8s.io/v1beta1"))
      .required("kind", Shape.oneOf("Kustomization"))
      .required("resources", Shape.list(Shape.string()))
      .optional("patches", Shape.list(Shape.object()
          .required("path", Shape.string())
          .optional("target", Shape.object()
              .required("kind", Shape.string())
              .required("name", Shape.string()))));

  static final Shape JSON_PATCH = Shape.list(Shape.object()
      .required("op", Shape.oneOf("test", "replace", "add", "remove"))
      .required("path", Shape.matching("(/[^/]+)+"))
      .optional("value", Shape.any()));

  /**
   * Merge keys of the lists this deployment patches, by field name, as Kubernetes' OpenAPI schema
   * declares them (x-kubernetes-list-map-keys, which kustomize follows).
   */
  private static final Map<String, List<String>> MERGE_KEYS = Map.of(
      "containers", List.of("name"),
      "initContainers", List.of("name"),
      "env", List.of("name"),
      "volumes", List.of("name"),
      "volumeMounts", List.of("mountPath"),
      "imagePullSecrets", List.of("name"),
      "topologySpreadConstraints", List.of("topologyKey", "whenUnsatisfiable"));

  /** Lists without a merge key: a patch replaces them whole. */
  private static final Set<String> REPLACED_LISTS = Set.of(
      "args", "command", "accessModes", "volumeClaimTemplates", "drop", "add", "policyTypes", "ingress", "egress",
      "endpoints", "triggers", "secretTargetRef", "matchExpressions", "policies");

  private Kustomize() {}

  /** The resources of the kustomization in {@code dir}, with its bases' resources and all patches applied. */
  static List<ObjectNode> build(Path dir) {
    JsonNode kustomization = readKustomization(dir);
    Map<String, ObjectNode> resources = new LinkedHashMap<>();
    for (JsonNode entry : kustomization.get("resources")) {
      Path path = dir.resolve(entry.asText()).normalize();
      List<ObjectNode> added = Files.isDirectory(path) ? build(path) : objects(path);
      for (ObjectNode resource : added) {
        if (resources.put(key(resource), resource) != null) {
          throw new IllegalStateException(dir + ": " + key(resource) + " is defined twice");
        }
      }
    }
    for (JsonNode patch : kustomization.path("patches")) {
      Path path = dir.resolve(patch.get("path").asText()).normalize();
      JsonNode target = patch.get("target");
      JsonNode content = YamlDocuments.readOne(path);
      if (content.isArray()) {
        if (target == null) {
          throw new IllegalStateException(path + ": a JSON patch needs a target in " + dir.resolve(FILE));
        }
        applyJsonPatch(find(resources, target.get("kind").asText(), target.get("name").asText(), path), content, path);
      } else {
        if (target != null) {
          throw new IllegalStateException(path + ": targets of strategic merge patches are not supported here");
        }
        ObjectNode resource = find(resources, content.path("kind").asText(),
            content.path("metadata").path("name").asText(), path);
        if (!resource.path("apiVersion").equals(content.path("apiVersion"))) {
          throw new IllegalStateException(path + ": apiVersion " + content.path("apiVersion") + " does not match "
              + resource.path("apiVersion"));
        }
        mergeObject(resource, (ObjectNode) content, List.of());
      }
    }
    return new ArrayList<>(resources.values());
  }

  /** Every file the kustomization in {@code dir} uses, directly or through its bases, with its role. */
  static Map<Path, Role> files(Path dir) {
    Map<Path, Role> files = new LinkedHashMap<>();
    collect(dir.normalize(), files);
    return files;
  }

  private static void collect(Path dir, Map<Path, Role> files) {
    JsonNode kustomization = readKustomization(dir);
    files.put(dir.resolve(FILE), Role.KUSTOMIZATION);
    for (JsonNode entry : kustomization.get("resources")) {
      Path path = dir.resolve(entry.asText()).normalize();
      if (Files.isDirectory(path)) {
        collect(path, files);
      } else {
        files.put(path, Role.RESOURCE);
      }
    }
    for (JsonNode patch : kustomization.path("patches")) {
      Path path = dir.resolve(patch.get("path").asText()).normalize();
      files.put(path, YamlDocuments.readOne(path).isArray() ? Role.JSON_PATCH : Role.STRATEGIC_MERGE_PATCH);
    }
  }

  private static JsonNode readKustomization(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(dir + " has no " + FILE);
    }
    JsonNode kustomization = YamlDocuments.readOne(file);
    List<String> problems = KUSTOMIZATION.problems(kustomization);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(file + " uses what this renderer does not support: " + problems);
    }
    return kustomization;
  }

  private static List<ObjectNode> objects(Path file) {
    List<ObjectNode> result = new ArrayList<>();
    for (JsonNode document : YamlDocuments.read(file)) {
      if (!document.isObject()) {
        throw new IllegalStateException(file + ": a resource must be an object");
      }
      result.add((ObjectNode) document);
    }
    return result;
  }

  private static String key(JsonNode resource) {
    return resource.path("kind").asText() + "/" + resource.path("metadata").path("name").asText();
  }

  private static ObjectNode find(Map<String, ObjectNode> resources, String kind, String name, Path patch) {
    ObjectNode resource = resources.get(kind + "/" + name);
    if (resource == null) {
      throw new IllegalStateException(patch + ": no resource " + kind + "/" + name + " to patch");
    }
    return resource;
  }

  /** Strategic merge: maps merge, null deletes, lists merge by key (patch elements first) or are replaced. */
  static void mergeObject(ObjectNode target, ObjectNode patch, List<String> path) {
    patch.properties().forEach(field -> {
      String name = field.getKey();
      JsonNode value = field.getValue();
      List<String> here = append(path, name);
      if (name.startsWith("$")) {
        throw new UnsupportedOperationException("patch directive " + name + " at " + here + " is not supported");
      }
      JsonNode existing = target.get(name);
      if (value.isNull()) {
        target.remove(name);
      } else if (value.isObject() && existing != null && existing.isObject()) {
        mergeObject((ObjectNode) existing, (ObjectNode) value, here);
      } else if (value.isArray() && existing != null && existing.isArray()) {
        target.set(name, mergeList((ArrayNode) existing, (ArrayNode) value, here));
      } else {
        target.set(name, value.deepCopy());
      }
    });
  }

  private static ArrayNode mergeList(ArrayNode base, ArrayNode patch, List<String> path) {
    String field = path.get(path.size() - 1);
    List<String> keys = mergeKeys(path);
    if (keys == null) {
      if (!REPLACED_LISTS.contains(field)) {
        throw new UnsupportedOperationException("no known merge rule for the list " + String.join(".", path));
      }
      return patch.deepCopy();
    }
    // Element order as kustomize (kyaml, v5) produces it, observed with kubectl kustomize: for a list
    // with one merge key, the patch's elements in patch order (merged with their base element), then
    // the base's other elements; for a list with a composite key (topologySpreadConstraints), the
    // patch's new elements first, then the base's elements in base order, merged.
    boolean composite = keys.size() > 1;
    ArrayNode merged = JsonNodeFactory.instance.arrayNode();
    Map<Integer, ObjectNode> mergedBase = new LinkedHashMap<>();
    for (JsonNode element : patch) {
      if (!element.isObject() || !keys.stream().allMatch(element::has)) {
        throw new IllegalStateException("element of " + String.join(".", path) + " lacks its merge key " + keys);
      }
      int match = -1;
      for (int i = 0; i < base.size() && match < 0; i++) {
        JsonNode candidate = base.get(i);
        if (keys.stream().allMatch(k -> element.get(k).equals(candidate.get(k)))) {
          match = i;
        }
      }
      if (match >= 0) {
        ObjectNode copy = base.get(match).deepCopy();
        mergeObject(copy, (ObjectNode) element, path);
        mergedBase.put(match, copy);
        if (!composite) {
          merged.add(copy);
        }
      } else {
        merged.add(element.deepCopy());
      }
    }
    for (int i = 0; i < base.size(); i++) {
      if (!mergedBase.containsKey(i)) {
        merged.add(base.get(i).deepCopy());
      } else if (composite) {
        merged.add(mergedBase.get(i));
      }
    }
    return merged;
  }

  private static List<String> mergeKeys(List<String> path) {
    String field = path.get(path.size() - 1);
    if (field.equals("ports")) {
      // Container ports merge by containerPort, Service ports by port.
      return path.contains("containers") || path.contains("initContainers") ? List.of("containerPort") : List.of("port");
    }
    return MERGE_KEYS.get(field);
  }

  /** RFC 6902 operations on one resource; a failed {@code test} fails the build, as in kustomize. */
  static void applyJsonPatch(ObjectNode resource, JsonNode operations, Path source) {
    List<String> problems = JSON_PATCH.problems(operations);
    if (!problems.isEmpty()) {
      throw new IllegalStateException(source + ": " + problems);
    }
    for (JsonNode operation : operations) {
      JsonPointer pointer = JsonPointer.compile(operation.get("path").asText());
      JsonNode parent = resource.at(pointer.head());
      JsonPointer last = pointer.last();
      String op = operation.get("op").asText();
      JsonNode current = resource.at(pointer);
      switch (op) {
        case "test" -> {
          if (!current.equals(operation.get("value"))) {
            throw new IllegalStateException(source + ": test failed at " + pointer + ": found " + current
                + ", expected " + operation.get("value"));
          }
        }
        case "replace", "remove" -> {
          if (current.isMissingNode()) {
            throw new IllegalStateException(source + ": nothing at " + pointer + " to " + op);
          }
          if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            int index = last.getMatchingIndex();
            if (op.equals("replace")) {
              array.set(index, operation.get("value").deepCopy());
            } else {
              array.remove(index);
            }
          } else if (op.equals("replace")) {
            ((ObjectNode) parent).set(last.getMatchingProperty(), operation.get("value").deepCopy());
          } else {
            ((ObjectNode) parent).remove(last.getMatchingProperty());
          }
        }
        case "add" -> {
          if (parent.isArray()) {
            ArrayNode array = (ArrayNode) parent;
            String segment = last.getMatchingProperty();
            if (segment.equals("-")) {
              array.add(operation.get("value").deepCopy());
            } else {
              array.insert(Integer.parseInt(segment), operation.get("value").deepCopy());
            }
          } else if (parent.isObject()) {
            ((ObjectNode) parent).set(last.getMatchingProperty(), operation.get("value").deepCopy());
          } else {
            throw new IllegalStateException(source + ": no object or list at " + pointer.head());
          }
        }
        default -> throw new IllegalStateException(source + ": unknown op " + op);
      }
    }
  }

  private static List<String> append(List<String> path, String name) {
    List<String> longer = new ArrayList<>(path);
    longer.add(name);
    return longer;
  }
}
