package io.tracestitch.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A small explicit schema for the YAML that has no typed Kubernetes model on Maven Central (the
 * custom resources of the Prometheus Operator, KEDA and Strimzi, and kustomize's own files). It names
 * only the fields this deployment uses, so a misspelt, misplaced or mistyped field is reported rather
 * than silently ignored, as the real CRD's structural schema would prune or reject it.
 */
interface Shape {
  /** Adds a description of every problem of {@code node}, found at {@code path}, to {@code problems}. */
  void check(JsonNode node, String path, List<String> problems);

  default List<String> problems(JsonNode node) {
    List<String> problems = new ArrayList<>();
    check(node, "", problems);
    return problems;
  }

  static Shape string() {
    return (node, path, problems) -> {
      if (!node.isTextual()) {
        problems.add(path + ": expected a string, found " + node.getNodeType() + " " + node);
      }
    };
  }

  static Shape matching(String regex) {
    Pattern pattern = Pattern.compile(regex);
    return (node, path, problems) -> {
      if (!node.isTextual() || !pattern.matcher(node.asText()).matches()) {
        problems.add(path + ": expected a string matching /" + regex + "/, found " + node);
      }
    };
  }

  static Shape oneOf(String... values) {
    Set<String> allowed = Set.of(values);
    return (node, path, problems) -> {
      if (!node.isTextual() || !allowed.contains(node.asText())) {
        problems.add(path + ": expected one of " + allowed + ", found " + node);
      }
    };
  }

  static Shape integer(long min, long max) {
    return (node, path, problems) -> {
      if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
        problems.add(path + ": expected an integer in [" + min + ", " + max + "], found " + node);
      }
    };
  }

  /** A string, a number or a boolean (Strimzi topic configs accept all three). */
  static Shape scalar() {
    return (node, path, problems) -> {
      if (!node.isValueNode() || node.isNull()) {
        problems.add(path + ": expected a scalar, found " + node.getNodeType());
      }
    };
  }

  /** Anything at all (the value of a JSON patch operation, checked when it is applied). */
  static Shape any() {
    return (node, path, problems) -> { };
  }

  static Shape list(Shape item) {
    return (node, path, problems) -> {
      if (!node.isArray()) {
        problems.add(path + ": expected a list, found " + node.getNodeType());
        return;
      }
      for (int i = 0; i < node.size(); i++) {
        item.check(node.get(i), path + "[" + i + "]", problems);
      }
    };
  }

  /** A map with free keys (labels, topic configs, KEDA trigger metadata) and values of one shape. */
  static Shape mapOf(Shape value) {
    return (node, path, problems) -> {
      if (!node.isObject()) {
        problems.add(path + ": expected a map, found " + node.getNodeType());
        return;
      }
      node.properties().forEach(e -> value.check(e.getValue(), path + "." + e.getKey(), problems));
    };
  }

  /** A value checked by a function that returns its problem, or null (used for fabric8's typed parts). */
  static Shape checkedBy(Function<JsonNode, String> checker) {
    return (node, path, problems) -> {
      String problem = checker.apply(node);
      if (problem != null) {
        problems.add(path + ": " + problem);
      }
    };
  }

  static ObjectShape object() {
    return new ObjectShape();
  }

  /** An object with known fields only: an unknown field or a missing required one is a problem. */
  final class ObjectShape implements Shape {
    private final Map<String, Shape> fields = new LinkedHashMap<>();
    private final Set<String> required = new LinkedHashSet<>();

    ObjectShape required(String name, Shape shape) {
      fields.put(name, shape);
      required.add(name);
      return this;
    }

    ObjectShape optional(String name, Shape shape) {
      fields.put(name, shape);
      return this;
    }

    @Override
    public void check(JsonNode node, String path, List<String> problems) {
      if (!node.isObject()) {
        problems.add(path + ": expected an object, found " + node.getNodeType());
        return;
      }
      for (String name : required) {
        if (!node.has(name)) {
          problems.add(path + ": missing required field '" + name + "'");
        }
      }
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        Shape shape = fields.get(field.getKey());
        if (shape == null) {
          problems.add(path + ": unknown field '" + field.getKey() + "' (known: " + fields.keySet() + ")");
        } else {
          shape.check(field.getValue(), path + "." + field.getKey(), problems);
        }
      }
    }
  }
}
