package io.tracestitch.topology.graph;

import io.tracestitch.avro.AlertKind;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The stable identity of a grouped alert: (kind, consumer or service, event name). Never a trace or
 * correlation id, so one problem is one page however many workflows show it. At most 255 characters
 * (PagerDuty's limit): longer keys keep a readable prefix and end in a hash of the whole.
 */
public final class DedupKeys {
  static final int MAX_LENGTH = 255;

  private DedupKeys() {}

  public static String of(AlertKind kind, String subject, String eventName) {
    String key = "tracestitch/" + kind.name().toLowerCase(Locale.ROOT) + "/" + (subject == null ? "-" : subject) + "/"
        + (eventName == null ? "-" : eventName);
    if (key.length() <= MAX_LENGTH) {
      return key;
    }
    return key.substring(0, MAX_LENGTH - 17) + "#" + sha256(key).substring(0, 16);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256.", e);
    }
  }
}
