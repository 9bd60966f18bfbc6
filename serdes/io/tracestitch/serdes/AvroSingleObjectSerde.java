package io.tracestitch.serdes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import org.apache.avro.Schema;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The embedded default wire format: Avro single-object encoding (marker {@code C3 01}, the
 * 8-byte fingerprint of the writer schema, then the Avro binary body). No registry is needed
 * because every schema version an earlier release wrote ships inside the jar (see {@link
 * SchemaHistory}), so a record's fingerprint always finds its writer schema.
 *
 * <p>Null maps to null both ways, so tombstones pass through.
 */
public final class AvroSingleObjectSerde<T extends SpecificRecord> implements Serde<T> {

  private final Class<T> type;
  private final Schema currentSchema;
  private final BinaryMessageEncoder<T> encoder;
  private final BinaryMessageDecoder<T> decoder;
  private final int knownVersions;

  /**
   * A serde for a generated record class that reads every version shipped under {@code
   * /schema-history/<RecordName>/}.
   */
  public static <T extends SpecificRecord> AvroSingleObjectSerde<T> of(Class<T> type) {
    AvroTrust.trustGeneratedRecords();
    Schema current = SpecificData.getForClass(type).getSchema(type);
    return new AvroSingleObjectSerde<>(type, SchemaHistory.shippedVersions(current.getName()));
  }

  /**
   * A serde that writes the class's current schema and reads the current schema plus the given
   * earlier versions.
   */
  public AvroSingleObjectSerde(Class<T> type, Collection<Schema> shippedVersions) {
    AvroTrust.trustGeneratedRecords();
    this.type = type;
    SpecificData model = SpecificData.getForClass(type);
    // The code Avro generates for each record (customEncode/customDecode) instead of its reflective datum
    // writer and reader: every hop of the topology decodes and encodes, and the benchmark measured 1.22x
    // the spans per stream-thread CPU second with it (docs/benchmarks.md). Older writer schemas still resolve.
    model.setCustomCoders(true);
    this.currentSchema = model.getSchema(type);
    SchemaStore.Cache store = new SchemaStore.Cache();
    for (Schema shipped : shippedVersions) {
      store.addSchema(shipped);
    }
    this.encoder = new BinaryMessageEncoder<>(model, currentSchema);
    // The decoder knows the current schema on its own and asks the store for any other
    // fingerprint, resolving that writer schema to the current (reader) schema.
    this.decoder = new BinaryMessageDecoder<>(model, currentSchema, store);
    this.knownVersions = shippedVersions.size();
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
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      encoder.encode(record, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // cannot happen: the stream is in memory
    } catch (RuntimeException e) {
      throw new SerializationException(
          "Cannot encode " + type.getSimpleName() + " for topic '" + topic + "': " + e.getMessage()
              + " (a required field is probably null).",
          e);
    }
    return out.toByteArray();
  }

  private T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    T record;
    try {
      record = decoder.decode(in, null);
    } catch (BadHeaderException e) {
      throw failure(topic, bytes, "it does not start with Avro's single-object marker C3 01 (it"
          + " starts with " + Hex.prefix(bytes, 4) + "), so it was not written in the AVRO format;"
          + " check which format the producer of this topic uses");
    } catch (MissingSchemaException e) {
      throw failure(topic, bytes, "its writer schema fingerprint " + fingerprintOf(bytes)
          + " is neither the current schema nor one of the " + knownVersions + " shipped version(s)"
          + " of " + currentSchema.getFullName() + "; it was written by a newer or foreign release,"
          + " so upgrade this reader, or ship that writer schema as the next vN.avsc under"
          + " src/main/resources" + SchemaHistory.ROOT + "/" + currentSchema.getName() + "/");
    } catch (IOException | RuntimeException e) {
      // Avro reports a corrupt body in many ways (EOF, negative lengths, enum index out of range).
      throw failure(topic, bytes, "its Avro body is truncated or corrupt (" + e + ")");
    }
    if (in.available() > 0) {
      throw failure(topic, bytes, in.available() + " byte(s) are left over after the record, so"
          + " the body does not match its schema fingerprint");
    }
    return record;
  }

  private SerializationException failure(String topic, byte[] bytes, String reason) {
    return new SerializationException("Cannot decode " + type.getSimpleName() + " from the "
        + bytes.length + "-byte value on topic '" + topic + "': " + reason + ".");
  }

  private static String fingerprintOf(byte[] bytes) {
    // The header stores the 64-bit Rabin fingerprint little-endian after the 2-byte marker.
    long fingerprint = 0;
    for (int i = 9; i >= 2; i--) {
      fingerprint = (fingerprint << 8) | (bytes[i] & 0xFF);
    }
    return String.format("0x%016x", fingerprint);
  }
}
