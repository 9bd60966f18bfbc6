package io.tracestitch.serdes;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Turns a Jackson parse error into a short reason with a position, without its source dump. */
final class JsonErrors {

  private JsonErrors() {}

  static String describe(JsonProcessingException e) {
    String reason = e.getOriginalMessage();
    // Jackson appends where a structure started as "(start marker at [Source: ...])".
    int marker = reason.indexOf(" (start marker");
    if (marker >= 0) {
      reason = reason.substring(0, marker);
    }
    reason = reason.replaceAll("\\R.*", "");
    JsonLocation at = e.getLocation();
    return at == null ? reason : reason + " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }
}
