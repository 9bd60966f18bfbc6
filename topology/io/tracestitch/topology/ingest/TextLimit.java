package io.tracestitch.topology.ingest;

/**
 * Cuts the free texts of one span to the configured size and remembers whether it had to, so a gigantic value
 * costs its span some detail instead of the whole span (or the changelog record holding it).
 */
final class TextLimit {
  private final int maxChars;
  private boolean cut;

  TextLimit(int maxChars) {
    this.maxChars = maxChars;
  }

  String apply(String text) {
    if (text == null || text.length() <= maxChars) {
      return text;
    }
    cut = true;
    int end = maxChars;
    // Never split a surrogate pair: half a character is not valid UTF-8 when the record is written.
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  void markCut() {
    cut = true;
  }

  boolean cutAnything() {
    return cut;
  }
}
