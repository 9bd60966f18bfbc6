package io.tracestitch.serdes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Records as UTF-8 JSON in the shape {@link AvroJson} writes, for consumers that do not speak
 * Avro (an HTTP sink feeding a paging system, say). Null maps to null both ways.
 */
public final class AvroJsonSerde<T extends SpecificRecord> implements Serde<T> {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Class<T> type;

  public AvroJsonSerde(Class<T> type) {
    AvroTrust.trustGeneratedRecords();
    this.type = type;
  }

  @Override
  public Serializer<T> serializer() {
    return this::serialize;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this::deserialize;
  }

  private byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    try {
      return JSON.writeValueAsBytes(AvroJson.toJson(record));
    } catch (IllegalArgumentException | JsonProcessingException e) {
      throw new SerializationException("Cannot write " + type.getSimpleName() + " as JSON for topic '"
          + topic + "': " + e.getMessage(), e);
    }
  }

  private T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    JsonNode json;
    try {
      json = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName() + " from the "
          + bytes.length + "-byte value on topic '" + topic + "': it is not JSON (it starts with "
          + Hex.prefix(bytes, 4) + "; " + JsonErrors.describe(e) + ").");
    } catch (IOException e) {
      throw new SerializationException("Cannot read an in-memory value.", e);
    }
    if (json == null || json.isMissingNode()) {
      throw new SerializationException("Cannot decode " + type.getSimpleName() + " from the"
          + " value on topic '" + topic + "': it is empty, not a JSON object.");
    }
    try {
      return AvroJson.fromJson(json, type);
    } catch (IllegalArgumentException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName() + " from the JSON"
          + " value on topic '" + topic + "': " + e.getMessage(), e);
    }
  }
}
