package io.tracestitch.demo;

import io.tracestitch.avro.Alert;
import java.util.Locale;

/** An alert as one terminal line: kind, action, severity, how often, and its summary. */
public final class AlertLine {
  private AlertLine() {}

  public static String of(Alert alert) {
    return "ALERT " + alert.getKind() + " " + alert.getAction() + " "
        + alert.getSeverity().name().toLowerCase(Locale.ROOT) + " count=" + alert.getCount() + ": "
        + alert.getSummary().replaceAll("\\s+", " ").strip();
  }
}
