package io.tracestitch.serdes;

import java.lang.reflect.InvocationTargetException;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Serde;

/** Builds the serde for a record in a chosen wire format, or from a user-supplied class name. */
public final class RecordSerdes {

  private RecordSerdes() {}

  /** A value serde in the given format; see {@link #forFormat(OutputFormat, Class, Map, boolean)}. */
  public static <T extends SpecificRecord> Serde<T> forFormat(
      OutputFormat format, Class<T> type, Map<String, ?> config) {
    return forFormat(format, type, config, false);
  }

  /**
   * A configured serde for keys or values in the given format. Only REGISTRY reads the config
   * (Confluent's {@code schema.registry.*} keys).
   *
   * @throws ConfigException when REGISTRY is chosen and its settings are missing or wrong
   */
  public static <T extends SpecificRecord> Serde<T> forFormat(
      OutputFormat format, Class<T> type, Map<String, ?> config, boolean isKey) {
    switch (format) {
      case AVRO:
        return AvroSingleObjectSerde.of(type);
      case JSON:
        return new AvroJsonSerde<>(type);
      case REGISTRY: {
        RegistryAvroSerde<T> serde = new RegistryAvroSerde<>(type);
        serde.configure(config, isKey);
        return serde;
      }
      default:
        throw new IllegalStateException("No serde is wired for output format " + format + ".");
    }
  }

  /**
   * Instantiates a user-supplied {@link Serde} class (e.g. Confluent's {@code
   * io.confluent.kafka.streams.serdes.avro.SpecificAvroSerde}) with its public no-argument
   * constructor and configures it.
   *
   * @throws ConfigException when the class is missing, not a Serde, or cannot be created
   */
  @SuppressWarnings("unchecked")
  public static <T> Serde<T> forClassName(String className, Map<String, ?> config, boolean isKey) {
    Class<?> serdeClass;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      serdeClass = Class.forName(className.strip(), true,
          loader != null ? loader : RecordSerdes.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new ConfigException("The serde class " + className + " is not on the classpath; add"
          + " the jar that contains it (e.g. with -cp or the plugin folder) or fix the name.");
    }
    if (!Serde.class.isAssignableFrom(serdeClass)) {
      throw new ConfigException("The class " + className + " is not a Kafka Serde; name a class that"
          + " implements org.apache.kafka.common.serialization.Serde.");
    }
    Serde<T> serde;
    try {
      serde = (Serde<T>) serdeClass.getConstructor().newInstance();
    } catch (NoSuchMethodException e) {
      throw new ConfigException("The serde class " + className + " has no public no-argument"
          + " constructor, so it cannot be created from its name.");
    } catch (InvocationTargetException e) {
      throw new ConfigException("The constructor of the serde class " + className + " failed: "
          + e.getCause() + ".");
    } catch (ReflectiveOperationException e) {
      throw new ConfigException("The serde class " + className + " cannot be instantiated (" + e
          + "); it must be a public, concrete class.");
    }
    serde.configure(config, isKey);
    return serde;
  }
}
