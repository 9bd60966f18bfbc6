package io.tracestitch.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Grafana's node graph panel demands of its two frames (its NodeGraphDataFrameFieldNames and the checks in
 * its processNodes/processEdges), read as rows the way the Infinity data source turns a JSON array into a frame:
 * nodes need a unique {@code id}; edges a unique {@code id}, a {@code source} and a {@code target} naming nodes
 * (the panel fails on an edge to a missing node); {@code arc__*} values are numbers adding up to 1 in every row and
 * exclude {@code color}; {@code fixedx}/{@code fixedy} come together; every row of a frame has the same fields
 * (one column each); field names are the panel's (compared in lower case) or {@code detail__*}.
 */
final class NodeGraphFieldRules {
  private static final Set<String> NODE_FIELDS = Set.of("id", "title", "subtitle", "mainstat", "secondarystat", "color",
      "icon", "noderadius", "highlighted", "fixedx", "fixedy");
  private static final Set<String> EDGE_FIELDS = Set.of("id", "source", "target", "mainstat", "secondarystat",
      "color", "highlighted", "thickness", "strokedasharray");

  private NodeGraphFieldRules() {}

  /** Every broken rule as a sentence; empty when the panel can draw the frames. */
  static List<String> violations(JsonNode frames) {
    List<String> broken = new ArrayList<>();
    JsonNode nodes = frames.path("nodes");
    JsonNode edges = frames.path("edges");
    if (!nodes.isArray()) {
      broken.add("There is no 'nodes' array.");
      return broken;
    }
    if (!edges.isArray()) {
      broken.add("There is no 'edges' array.");
      return broken;
    }
    Set<String> nodeIds = new HashSet<>();
    checkFrame("nodes", nodes, NODE_FIELDS, true, broken);
    for (JsonNode node : nodes) {
      String id = requiredText(node, "id", "node", broken);
      if (id != null && !nodeIds.add(id)) {
        broken.add("The node id '" + id + "' is used twice.");
      }
      checkArcs(node, broken);
      checkTypes(node, "node " + id, broken);
      if (node.has("fixedx") != node.has("fixedy")) {
        broken.add("The node '" + id + "' has only one of fixedx and fixedy.");
      }
    }
    checkFrame("edges", edges, EDGE_FIELDS, false, broken);
    Set<String> edgeIds = new HashSet<>();
    for (JsonNode edge : edges) {
      String id = requiredText(edge, "id", "edge", broken);
      if (id != null && !edgeIds.add(id)) {
        broken.add("The edge id '" + id + "' is used twice.");
      }
      for (String end : List.of("source", "target")) {
        String ref = requiredText(edge, end, "edge " + id, broken);
        if (ref != null && !nodeIds.contains(ref)) {
          broken.add("The edge '" + id + "' has a " + end + " '" + ref + "' that is not a node.");
        }
      }
      checkTypes(edge, "edge " + id, broken);
      JsonNode thickness = edge.get("thickness");
      if (thickness != null && !thickness.isNumber()) {
        broken.add("The edge '" + id + "' has a thickness that is not a number.");
      }
      JsonNode dashes = edge.get("strokedasharray");
      if (dashes != null && !dashes.asText().matches("[0-9., ]*")) {
        broken.add("The edge '" + id + "' has a strokedasharray that is not an SVG dash list: " + dashes);
      }
    }
    return broken;
  }

  private static void checkFrame(String name, JsonNode rows, Set<String> known, boolean arcs, List<String> broken) {
    Set<String> first = null;
    for (JsonNode row : rows) {
      Set<String> fields = new TreeSet<>();
      row.fieldNames().forEachRemaining(fields::add);
      for (String field : fields) {
        String lower = field.toLowerCase(Locale.ROOT);
        boolean allowed = known.contains(lower) || lower.startsWith("detail__") || (arcs && lower.startsWith("arc__"));
        if (!allowed) {
          broken.add("The " + name + " frame has a field '" + field + "' the node graph does not read.");
        }
      }
      if (first == null) {
        first = fields;
      } else if (!first.equals(fields)) {
        broken.add("The rows of the " + name + " frame do not all have the same fields: " + first + " and " + fields
            + ".");
      }
    }
  }

  private static void checkArcs(JsonNode node, List<String> broken) {
    double sum = 0;
    boolean any = false;
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (field.toLowerCase(Locale.ROOT).startsWith("arc__") && !field.toLowerCase(Locale.ROOT).endsWith("_color")) {
        any = true;
        if (!node.get(field).isNumber()) {
          broken.add("The node '" + node.path("id").asText() + "' has an arc field '" + field + "' that is not a number.");
        }
        sum += node.get(field).asDouble();
      }
    }
    if (any && Math.abs(sum - 1) > 1e-6) {
      broken.add("The arc__ fields of node '" + node.path("id").asText() + "' add up to " + sum + ", not 1.");
    }
    if (any && node.has("color")) {
      broken.add("The node '" + node.path("id").asText() + "' has both arc__ fields and a color.");
    }
  }

  private static void checkTypes(JsonNode row, String what, List<String> broken) {
    for (String field : List.of("title", "subtitle", "color", "icon")) {
      JsonNode value = row.get(field);
      if (value != null && !value.isTextual() && !(field.equals("color") && value.isNumber())) {
        broken.add("The " + what + " has a " + field + " that is not text.");
      }
    }
    for (String field : List.of("mainstat", "secondarystat")) {
      JsonNode value = row.get(field);
      if (value != null && !value.isTextual() && !value.isNumber()) {
        broken.add("The " + what + " has a " + field + " that is neither text nor a number.");
      }
    }
    JsonNode highlighted = row.get("highlighted");
    if (highlighted != null && !highlighted.isBoolean()) {
      broken.add("The " + what + " has a highlighted that is not true or false.");
    }
  }

  private static String requiredText(JsonNode row, String field, String what, List<String> broken) {
    JsonNode value = row.get(field);
    if (value == null || !value.isTextual() || value.asText().isEmpty()) {
      broken.add("The " + what + " has no " + field + " (required).");
      return null;
    }
    return value.asText();
  }
}
