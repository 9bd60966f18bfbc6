package io.tracestitch.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads a settings file: Java properties, or YAML whose nesting spells the dotted keys
 * ({@code workflow: {inactivity.gap.ms: 30000}} is {@code workflow.inactivity.gap.ms}) and whose lists
 * become comma-separated values.
 */
public final class ConfigFiles {
  /**
   * Where the container image and the Kubernetes manifests keep the settings file (the pod mounts its
   * ConfigMap here); {@code run} reads it when no {@code --config} is given and the file is there.
   */
  public static final Path DEFAULT_FILE = Path.of("/etc/tracestitch/tracestitch.properties");

  private ConfigFiles() {}

  /**
   * The settings file to read: the one named with {@code --config}, which must then exist ({@link #read}
   * says so if it does not); else {@code defaultFile} if anything is there, so a file mounted into the
   * container is never silently skipped; else none ({@code null}), and settings come from TRACESTITCH_*
   * variables, {@code --set} and the defaults alone.
   */
  public static Path resolve(Path named, Path defaultFile) {
    if (named != null) {
      return named;
    }
    return Files.exists(defaultFile) ? defaultFile : null;
  }

  public static Map<String, String> read(Path file) {
    if (file == null) {
      return Map.of();
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException("The configuration file " + file + " does not exist or cannot be read; "
          + "check the path given to --config and that the file is readable by this process's user.");
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    try {
      return name.endsWith(".yaml") || name.endsWith(".yml") ? readYaml(file) : readProperties(file);
    } catch (IOException e) {
      throw new ConfigException("The configuration file " + file + " could not be read: " + e.getMessage());
    }
  }

  private static Map<String, String> readProperties(Path file) throws IOException {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      props.load(reader);
    }
    Map<String, String> values = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> values.put(k, props.getProperty(k).trim()));
    return values;
  }

  private static Map<String, String> readYaml(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    Map<String, String> values = new LinkedHashMap<>();
    if (root != null && !root.isNull()) {
      if (!root.isObject()) {
        throw new ConfigException("The YAML file " + file + " must hold a mapping of settings at its top level.");
      }
      flatten("", root, values);
    }
    return values;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
      }
    } else if (node.isArray()) {
      List<String> items = new ArrayList<>();
      node.forEach(item -> items.add(item.asText()));
      out.put(prefix, String.join(",", items));
    } else if (!node.isNull()) {
      out.put(prefix, node.asText());
    }
  }
}
