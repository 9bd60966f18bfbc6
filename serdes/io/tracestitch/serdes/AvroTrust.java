package io.tracestitch.serdes;

import org.apache.avro.util.ClassSecurityValidator;

/**
 * Avro 1.12 refuses to instantiate classes it has not been told to trust, and the generated builders
 * instantiate nested records when they copy field defaults. This adds tracestitch's own generated
 * records to the trusted set, keeping whatever the JVM already trusts (including the
 * {@code org.apache.avro.SERIALIZABLE_*} system properties).
 */
public final class AvroTrust {
  private static final String GENERATED_PACKAGE = "io.tracestitch.avro";
  private static volatile boolean installed;

  private AvroTrust() {}

  /** Idempotent and cheap after the first call; call before building or decoding any generated record. */
  public static void trustGeneratedRecords() {
    if (installed) {
      return;
    }
    synchronized (AvroTrust.class) {
      if (!installed) {
        ClassSecurityValidator.ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
        ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous,
            type -> type.getName().startsWith(GENERATED_PACKAGE + ".")));
        installed = true;
      }
    }
  }
}
