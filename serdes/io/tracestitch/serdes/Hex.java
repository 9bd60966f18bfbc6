package io.tracestitch.serdes;

/** Renders the start of a byte array for error messages, so a reader can spot the format. */
final class Hex {

  private Hex() {}

  /** The first {@code max} bytes as {@code "C3 01 ..."}, with an ellipsis when there are more. */
  static String prefix(byte[] bytes, int max) {
    if (bytes.length == 0) {
      return "(nothing: the value is empty)";
    }
    StringBuilder text = new StringBuilder();
    int shown = Math.min(max, bytes.length);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        text.append(' ');
      }
      text.append(String.format("%02X", bytes[i] & 0xFF));
    }
    if (bytes.length > shown) {
      text.append(" ...");
    }
    return text.toString();
  }
}
