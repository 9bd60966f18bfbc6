package io.tracestitch.serdes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The Confluent wire format: byte {@code 0}, the writer schema's registry id as a big-endian
 * int32, then the Avro binary body. Bytes it writes are readable by Confluent's own
 * deserializers and the other way round.
 *
 * <p>The serializer files the record's schema under the subject {@code <topic>-value} (or
 * {@code -key}), registering it unless {@code auto.register.schemas=false}. The deserializer
 * fetches the writer schema by id and resolves it to the generated class's schema, so records
 * written with an older or newer compatible schema still read.
 *
 * <p>Configure with {@link #configure(Map, boolean)} using Confluent's key names (see {@link
 * RegistryConfig}), or hand a client to the constructor. Null maps to null both ways.
 */
public final class RegistryAvroSerde<T extends SpecificRecord> implements Serde<T> {

  private static final byte MAGIC = 0;
  private static final int HEADER_LENGTH = 5;

  private final Class<T> type;
  private final SpecificData model;
  private final Schema readerSchema;
  private final DatumWriter<T> writer;
  private final Map<Integer, DatumReader<T>> readersById = new ConcurrentHashMap<>();
  private final boolean clientGiven;

  private volatile SchemaRegistryClient client;
  private volatile boolean autoRegister;
  private volatile boolean isKey;
  private volatile SubjectNameStrategy subjects = SubjectNameStrategy.TOPIC;

  /** A serde that builds its registry client in {@link #configure(Map, boolean)}. */
  public RegistryAvroSerde(Class<T> type) {
    this(type, null, true, false);
  }

  /**
   * A value serde that uses the given client, for tests and for sharing one client's caches.
   * {@link #configure(Map, boolean)} may still switch it to keys or change the other settings.
   */
  public RegistryAvroSerde(Class<T> type, SchemaRegistryClient client, boolean autoRegister) {
    this(type, client, autoRegister, true);
  }

  private RegistryAvroSerde(
      Class<T> type, SchemaRegistryClient client, boolean autoRegister, boolean clientGiven) {
    AvroTrust.trustGeneratedRecords();
    this.type = type;
    this.model = SpecificData.getForClass(type);
    this.readerSchema = model.getSchema(type);
    this.writer = new SpecificDatumWriter<>(readerSchema, model);
    this.client = client;
    this.autoRegister = autoRegister;
    this.clientGiven = clientGiven;
  }

  /**
   * Reads the {@code schema.registry.*} settings, {@code auto.register.schemas} and the subject
   * name strategies. With a client given to the constructor, a URL here replaces that client.
   *
   * @throws ConfigException when a setting is missing or wrong
   */
  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    try {
      if (!clientGiven || configs.containsKey(RegistryConfig.URL)) {
        client = new SchemaRegistryClient(RegistryConfig.from(configs));
        // Ids are only meaningful within one registry.
        readersById.clear();
      }
      autoRegister = RegistryConfig.autoRegister(configs, autoRegister);
      subjects = RegistryConfig.subjects(configs, isKey, subjects);
      this.isKey = isKey;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  @Override
  public Serializer<T> serializer() {
    return new Serializer<>() {
      @Override
      public void configure(Map<String, ?> configs, boolean isKey) {
        RegistryAvroSerde.this.configure(configs, isKey);
      }

      @Override
      public byte[] serialize(String topic, T record) {
        return RegistryAvroSerde.this.serialize(topic, record);
      }
    };
  }

  @Override
  public Deserializer<T> deserializer() {
    return new Deserializer<>() {
      @Override
      public void configure(Map<String, ?> configs, boolean isKey) {
        RegistryAvroSerde.this.configure(configs, isKey);
      }

      @Override
      public T deserialize(String topic, byte[] bytes) {
        return RegistryAvroSerde.this.deserialize(topic, bytes);
      }
    };
  }

  private byte[] serialize(String topic, T record) {
    if (record == null) {
      return null;
    }
    SchemaRegistryClient registry = requireClient();
    String subject = subjects.subject(topic, isKey, readerSchema);
    int id;
    try {
      if (autoRegister) {
        id = registry.register(subject, readerSchema);
      } else {
        id = registry.idOf(subject, readerSchema).orElseThrow(() -> new SerializationException(
            "Cannot write " + type.getSimpleName() + " to topic '" + topic + "': its schema is"
                + " not registered under subject '" + subject + "' and " + RegistryConfig.AUTO_REGISTER
                + " is false; register the schema first or set " + RegistryConfig.AUTO_REGISTER
                + "=true."));
      }
    } catch (SchemaRegistryException e) {
      throw new SerializationException("Cannot write " + type.getSimpleName() + " to topic '"
          + topic + "' because its schema could not be registered under subject '" + subject + "': "
          + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.write(MAGIC);
    out.writeBytes(ByteBuffer.allocate(4).putInt(id).array());
    try {
      BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
      writer.write(record, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new SerializationException("Cannot encode " + type.getSimpleName() + ".", e);
    } catch (RuntimeException e) {
      throw new SerializationException("Cannot encode " + type.getSimpleName() + " for topic '"
          + topic + "': " + e.getMessage() + " (a required field is probably null).", e);
    }
    return out.toByteArray();
  }

  private T deserialize(String topic, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    if (bytes.length < HEADER_LENGTH) {
      throw failure(topic, bytes, "it is shorter than the 5-byte header (magic byte 0 and a schema"
          + " id) of the registry wire format");
    }
    if (bytes[0] != MAGIC) {
      throw failure(topic, bytes, "it starts with " + Hex.prefix(bytes, 4) + " instead of the magic"
          + " byte 00 of the registry wire format, so it was written in another format (C3 01 is"
          + " the AVRO format, '{' is JSON)");
    }
    int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
    DatumReader<T> reader;
    try {
      reader = readersById.computeIfAbsent(id,
          key -> new SpecificDatumReader<>(requireClient().schemaById(key), readerSchema, model));
    } catch (SchemaRegistryException e) {
      throw new SerializationException("Cannot decode " + type.getSimpleName() + " from topic '"
          + topic + "' because its writer schema id " + id + " could not be fetched: "
          + e.getMessage(), e);
    }
    BinaryDecoder decoder =
        DecoderFactory.get().binaryDecoder(bytes, HEADER_LENGTH, bytes.length - HEADER_LENGTH, null);
    T record;
    try {
      record = reader.read(null, decoder);
    } catch (IOException | RuntimeException e) {
      // Avro reports a corrupt body, or a writer schema that does not resolve, in many ways.
      throw failure(topic, bytes, "its Avro body does not decode with writer schema id " + id + " ("
          + e + ")");
    }
    try {
      if (!decoder.isEnd()) {
        throw failure(topic, bytes, "bytes are left over after the record, so the body does not"
            + " match writer schema id " + id);
      }
    } catch (IOException e) {
      throw new SerializationException("Cannot check the end of an in-memory value.", e);
    }
    return record;
  }

  private SchemaRegistryClient requireClient() {
    SchemaRegistryClient registry = client;
    if (registry == null) {
      throw new IllegalStateException("RegistryAvroSerde for " + type.getSimpleName() + " is not"
          + " configured; call configure(...) with " + RegistryConfig.URL + " first.");
    }
    return registry;
  }

  private SerializationException failure(String topic, byte[] bytes, String reason) {
    return new SerializationException("Cannot decode " + type.getSimpleName() + " from the "
        + bytes.length + "-byte value on topic '" + topic + "': " + reason + ".");
  }
}
