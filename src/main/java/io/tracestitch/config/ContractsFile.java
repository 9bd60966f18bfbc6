package io.tracestitch.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tracestitch.topology.expect.Contracts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;

/**
 * Reads declared workflow contracts from YAML:
 *
 * <pre>
 * contracts:
 *   - event: order.created
 *     consumers:
 *       - name: inventory        # consumer group, or service when spans name no group
 *         deadline: 30s          # ms, s, m or h
 *       - name: loyalty
 *         deadline: 2m
 * terminalEvents: [order.completed]
 * </pre>
 */
public final class ContractsFile {
  private ContractsFile() {}

  public static Contracts read(String path) {
    if (path == null || path.isBlank()) {
      return Contracts.NONE;
    }
    Path file = Path.of(path);
    if (!Files.isReadable(file)) {
      throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, "the contracts file does not exist or cannot be read");
    }
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, "not valid YAML: " + e.getMessage());
    }
    List<Contracts.Contract> contracts = new ArrayList<>();
    for (JsonNode c : root.path("contracts")) {
      String event = c.path("event").asText("");
      if (event.isEmpty()) {
        throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, "a contract has no 'event' name");
      }
      List<Contracts.Consumer> consumers = new ArrayList<>();
      for (JsonNode consumer : c.path("consumers")) {
        String name = consumer.path("name").asText("");
        if (name.isEmpty()) {
          throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, "a consumer of " + event + " has no 'name'");
        }
        consumers.add(new Contracts.Consumer(name, duration(consumer.path("deadline").asText(""), event, name, path)));
      }
      contracts.add(new Contracts.Contract(event, consumers));
    }
    Set<String> terminal = new HashSet<>();
    root.path("terminalEvents").forEach(t -> terminal.add(t.asText()));
    try {
      return Contracts.of(contracts, terminal);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, e.getMessage());
    }
  }

  static Duration duration(String text, String event, String consumer, String path) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new ConfigException(TracestitchConfig.CONTRACTS_FILE, path, "the deadline '" + text + "' of " + consumer
          + " for " + event + " is not a duration such as 500ms, 30s, 2m or 1h");
    }
  }
}
