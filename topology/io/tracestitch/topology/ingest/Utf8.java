package io.tracestitch.topology.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: binary bytes must not turn into an id full of replacement characters that happens to match. */
final class Utf8 {
  private Utf8() {}

  /** The text, or null when the bytes are not valid UTF-8. */
  static String decodeOrNull(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException binary) {
      return null;
    }
  }
}
