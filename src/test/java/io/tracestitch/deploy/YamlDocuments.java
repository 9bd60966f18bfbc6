package io.tracestitch.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads YAML files of one or more documents as trees; a key given twice fails, as it does for kubectl. */
final class YamlDocuments {
  private static final YAMLMapper YAML = YAMLMapper.builder()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private YamlDocuments() {}

  /** Every non-empty document of the file, in order. */
  static List<JsonNode> read(Path file) {
    // One tree per document from the parser: readValues would unwrap a top-level list into its elements.
    try (JsonParser parser = YAML.createParser(file.toFile())) {
      List<JsonNode> result = new ArrayList<>();
      while (parser.nextToken() != null) {
        JsonNode document = YAML.readTree(parser);
        if (document != null && !document.isNull() && !document.isMissingNode()) {
          result.add(document);
        }
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read " + file + " as YAML: " + e.getMessage(), e);
    }
  }

  static JsonNode readOne(Path file) {
    List<JsonNode> documents = read(file);
    if (documents.size() != 1) {
      throw new IllegalArgumentException(file + " must hold exactly one YAML document, not " + documents.size());
    }
    return documents.get(0);
  }

  static JsonNode parse(String yaml) {
    try {
      return YAML.readTree(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
