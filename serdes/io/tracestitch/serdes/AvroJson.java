package io.tracestitch.serdes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro data as the JSON a person or an HTTP consumer expects: Avro field names, unions written as
 * the plain value (not Avro's {@code {"type": value}} wrapper), enums as their symbol, maps as
 * objects, bytes and fixed as base64, null as null. Non-finite floats become the strings
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} because JSON has no literal for them.
 *
 * <p>Reading back picks a union's branch by trying its non-null branches in schema order; the
 * first branch the JSON value fits wins.
 */
public final class AvroJson {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  // SpecificData resolves unions for generic and generated data alike (it knows Java enums).
  private static final SpecificData UNION_RESOLVER = SpecificData.get();

  private AvroJson() {}

  /** A record as a JSON object keyed by its Avro field names. */
  public static ObjectNode toJson(IndexedRecord record) {
    return (ObjectNode) toJson(record, record.getSchema());
  }

  /** Any Avro container (record, enum symbol, fixed, array) as JSON. */
  public static JsonNode toJson(GenericContainer container) {
    return toJson(container, container.getSchema());
  }

  /**
   * One datum of the given schema as JSON.
   *
   * @throws IllegalArgumentException when the datum does not match the schema, naming where
   */
  public static JsonNode toJson(Object datum, Schema schema) {
    try {
      return write(datum, schema);
    } catch (Mismatch e) {
      throw e.withRoot(schema.getName(), "Cannot write");
    }
  }

  /**
   * Reads the JSON this class writes back into a generated record.
   *
   * @throws IllegalArgumentException when the JSON does not fit the record's schema, naming where
   */
  public static <T extends SpecificRecord> T fromJson(JsonNode json, Class<T> type) {
    // Avro 1.12 refuses to instantiate generated classes it has not been told to trust.
    AvroTrust.trustGeneratedRecords();
    SpecificData model = SpecificData.getForClass(type);
    return type.cast(fromJson(json, model.getSchema(type), model));
  }

  /**
   * Reads JSON into Avro data of the given schema, building records, enums and fixed values with
   * the given model ({@link GenericData#get()} for generic data).
   *
   * @throws IllegalArgumentException when the JSON does not fit the schema, naming where
   */
  public static Object fromJson(JsonNode json, Schema schema, GenericData model) {
    try {
      return new Reader(model).read(json, schema);
    } catch (Mismatch e) {
      throw e.withRoot(schema.getName(), "Cannot read");
    }
  }

  private static JsonNode write(Object datum, Schema schema) {
    switch (schema.getType()) {
      case RECORD: {
        if (!(datum instanceof IndexedRecord)) {
          throw Mismatch.expected("a record " + schema.getFullName(), datum);
        }
        IndexedRecord record = (IndexedRecord) datum;
        ObjectNode object = NODES.objectNode();
        for (Schema.Field field : schema.getFields()) {
          try {
            object.set(field.name(), write(record.get(field.pos()), field.schema()));
          } catch (Mismatch e) {
            throw e.at("." + field.name());
          }
        }
        return object;
      }
      case UNION: {
        int branch;
        try {
          branch = UNION_RESOLVER.resolveUnion(schema, datum);
        } catch (RuntimeException e) {
          throw Mismatch.expected("one of " + branchNames(schema), datum);
        }
        return write(datum, schema.getTypes().get(branch));
      }
      case ARRAY: {
        if (!(datum instanceof Collection)) {
          throw Mismatch.expected("an array", datum);
        }
        ArrayNode array = NODES.arrayNode();
        int index = 0;
        for (Object element : (Collection<?>) datum) {
          try {
            array.add(write(element, schema.getElementType()));
          } catch (Mismatch e) {
            throw e.at("[" + index + "]");
          }
          index++;
        }
        return array;
      }
      case MAP: {
        if (!(datum instanceof Map)) {
          throw Mismatch.expected("a map", datum);
        }
        ObjectNode object = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          String key = String.valueOf(entry.getKey());
          try {
            object.set(key, write(entry.getValue(), schema.getValueType()));
          } catch (Mismatch e) {
            throw e.at("[\"" + key + "\"]");
          }
        }
        return object;
      }
      case ENUM:
        return NODES.textNode(requireNonNull(datum, "an enum symbol").toString());
      case FIXED:
        if (!(datum instanceof GenericFixed)) {
          throw Mismatch.expected("a fixed value", datum);
        }
        return NODES.textNode(Base64.getEncoder().encodeToString(((GenericFixed) datum).bytes()));
      case BYTES:
        if (!(datum instanceof ByteBuffer)) {
          throw Mismatch.expected("bytes", datum);
        }
        return NODES.textNode(Base64.getEncoder().encodeToString(bytesOf((ByteBuffer) datum)));
      case STRING:
        if (!(datum instanceof CharSequence)) {
          throw Mismatch.expected("a string", datum);
        }
        return NODES.textNode(datum.toString());
      case INT:
        return NODES.numberNode(number(datum, "an int").intValue());
      case LONG:
        return NODES.numberNode(number(datum, "a long").longValue());
      case FLOAT: {
        float value = number(datum, "a float").floatValue();
        return Float.isFinite(value) ? NODES.numberNode(value) : NODES.textNode(Float.toString(value));
      }
      case DOUBLE: {
        double value = number(datum, "a double").doubleValue();
        return Double.isFinite(value) ? NODES.numberNode(value) : NODES.textNode(Double.toString(value));
      }
      case BOOLEAN:
        if (!(datum instanceof Boolean)) {
          throw Mismatch.expected("a boolean", datum);
        }
        return NODES.booleanNode((Boolean) datum);
      case NULL:
        if (datum != null) {
          throw Mismatch.expected("null", datum);
        }
        return NODES.nullNode();
      default:
        throw new IllegalStateException("Avro added a schema type this class does not know: " + schema);
    }
  }

  private static Object requireNonNull(Object datum, String what) {
    if (datum == null) {
      throw Mismatch.expected(what, null);
    }
    return datum;
  }

  private static Number number(Object datum, String what) {
    if (!(datum instanceof Number)) {
      throw Mismatch.expected(what, datum);
    }
    return (Number) datum;
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    // Read through a duplicate so the caller's buffer position is left alone.
    ByteBuffer view = buffer.duplicate();
    byte[] bytes = new byte[view.remaining()];
    view.get(bytes);
    return bytes;
  }

  private static List<String> branchNames(Schema union) {
    List<String> names = new ArrayList<>();
    for (Schema branch : union.getTypes()) {
      names.add(branch.getType() == Schema.Type.RECORD || branch.getType() == Schema.Type.ENUM
          || branch.getType() == Schema.Type.FIXED ? branch.getFullName() : branch.getName());
    }
    return names;
  }

  /** Builds Avro data from JSON with one model, so generated classes come out where they exist. */
  private static final class Reader {
    private final GenericData model;

    Reader(GenericData model) {
      this.model = model;
    }

    Object read(JsonNode json, Schema schema) {
      switch (schema.getType()) {
        case RECORD:
          return readRecord(json, schema);
        case UNION:
          return readUnion(json, schema);
        case ARRAY: {
          if (!json.isArray()) {
            throw Mismatch.expected("a JSON array", json);
          }
          List<Object> list = new ArrayList<>(json.size());
          for (int i = 0; i < json.size(); i++) {
            try {
              list.add(read(json.get(i), schema.getElementType()));
            } catch (Mismatch e) {
              throw e.at("[" + i + "]");
            }
          }
          return list;
        }
        case MAP: {
          if (!json.isObject()) {
            throw Mismatch.expected("a JSON object", json);
          }
          Map<String, Object> map = new LinkedHashMap<>();
          for (Map.Entry<String, JsonNode> entry : json.properties()) {
            try {
              map.put(entry.getKey(), read(entry.getValue(), schema.getValueType()));
            } catch (Mismatch e) {
              throw e.at("[\"" + entry.getKey() + "\"]");
            }
          }
          return map;
        }
        case ENUM: {
          if (!json.isTextual()) {
            throw Mismatch.expected("one of the symbols " + schema.getEnumSymbols(), json);
          }
          String symbol = json.asText();
          if (!schema.hasEnumSymbol(symbol)) {
            // A newer writer may add a symbol; the schema's enum default is meant for exactly that.
            if (schema.getEnumDefault() == null) {
              throw Mismatch.expected("one of the symbols " + schema.getEnumSymbols(), json);
            }
            symbol = schema.getEnumDefault();
          }
          return model.createEnum(symbol, schema);
        }
        case FIXED: {
          byte[] bytes = base64(json);
          if (bytes.length != schema.getFixedSize()) {
            throw new Mismatch("expected " + schema.getFixedSize() + " base64-encoded bytes but found "
                + bytes.length);
          }
          return model.createFixed(null, bytes, schema);
        }
        case BYTES:
          return ByteBuffer.wrap(base64(json));
        case STRING:
          if (!json.isTextual()) {
            throw Mismatch.expected("a JSON string", json);
          }
          return json.asText();
        case INT:
          if (!json.isIntegralNumber() || !json.canConvertToInt()) {
            throw Mismatch.expected("a 32-bit integer", json);
          }
          return json.intValue();
        case LONG:
          if (!json.isIntegralNumber() || !json.canConvertToLong()) {
            throw Mismatch.expected("a 64-bit integer", json);
          }
          return json.longValue();
        case FLOAT:
          return (float) floatingPoint(json);
        case DOUBLE:
          return floatingPoint(json);
        case BOOLEAN:
          if (!json.isBoolean()) {
            throw Mismatch.expected("true or false", json);
          }
          return json.booleanValue();
        case NULL:
          if (!json.isNull()) {
            throw Mismatch.expected("null", json);
          }
          return null;
        default:
          throw new IllegalStateException("Avro added a schema type this class does not know: " + schema);
      }
    }

    private Object readRecord(JsonNode json, Schema schema) {
      if (!json.isObject()) {
        throw Mismatch.expected("a JSON object for " + schema.getFullName(), json);
      }
      Object record = model.newRecord(null, schema);
      // Fields the schema does not know are ignored, so JSON from a newer writer still reads.
      for (Schema.Field field : schema.getFields()) {
        JsonNode value = json.get(field.name());
        Object datum;
        if (value == null) {
          if (!field.hasDefaultValue()) {
            throw new Mismatch("the field is missing and has no default").at("." + field.name());
          }
          // Copied because the model hands out one shared instance of each default.
          datum = model.deepCopy(field.schema(), model.getDefaultValue(field));
        } else {
          try {
            datum = read(value, field.schema());
          } catch (Mismatch e) {
            throw e.at("." + field.name());
          }
        }
        model.setField(record, field.name(), field.pos(), datum);
      }
      return record;
    }

    private Object readUnion(JsonNode json, Schema union) {
      if (json.isNull()) {
        Integer nullBranch = union.getIndexNamed(Schema.Type.NULL.getName());
        if (nullBranch == null) {
          throw Mismatch.expected("one of " + branchNames(union), json);
        }
        return null;
      }
      List<String> tried = new ArrayList<>();
      for (Schema branch : union.getTypes()) {
        if (branch.getType() == Schema.Type.NULL) {
          continue;
        }
        try {
          return read(json, branch);
        } catch (Mismatch e) {
          tried.add(e.getMessage());
        }
      }
      throw Mismatch.expected("one of " + branchNames(union) + " (" + String.join("; ", tried) + ")",
          json);
    }

    private static byte[] base64(JsonNode json) {
      if (!json.isTextual()) {
        throw Mismatch.expected("a base64 JSON string", json);
      }
      try {
        return Base64.getDecoder().decode(json.asText());
      } catch (IllegalArgumentException e) {
        throw Mismatch.expected("a base64 JSON string", json);
      }
    }

    private static double floatingPoint(JsonNode json) {
      if (json.isNumber()) {
        return json.doubleValue();
      }
      if (json.isTextual()) {
        switch (json.asText()) {
          case "NaN":
            return Double.NaN;
          case "Infinity":
            return Double.POSITIVE_INFINITY;
          case "-Infinity":
            return Double.NEGATIVE_INFINITY;
          default:
            break;
        }
      }
      throw Mismatch.expected("a JSON number", json);
    }
  }

  /**
   * A datum that does not fit its schema. The path is collected while the recursion unwinds, so
   * the common, successful case builds no path strings.
   */
  private static final class Mismatch extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Deque<String> path = new ArrayDeque<>();

    Mismatch(String message) {
      super(message, null, false, false);
    }

    static Mismatch expected(String what, Object found) {
      return new Mismatch("expected " + what + " but found " + describe(found));
    }

    Mismatch at(String segment) {
      path.addFirst(segment);
      return this;
    }

    IllegalArgumentException withRoot(String root, String verb) {
      return new IllegalArgumentException(
          verb + " Avro JSON at " + root + String.join("", path) + ": " + getMessage() + ".");
    }

    private static String describe(Object found) {
      if (found == null || (found instanceof JsonNode && ((JsonNode) found).isNull())) {
        return "null";
      }
      if (found instanceof JsonNode) {
        String text = found.toString();
        return "JSON " + ((JsonNode) found).getNodeType().name().toLowerCase() + " "
            + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
      }
      return "a " + found.getClass().getSimpleName();
    }
  }
}
