package io.tracestitch.topology.ingest;

import com.google.protobuf.ByteString;
import java.util.HexFormat;

/** Checks OTLP's binary trace and span ids and renders them as the lowercase hex used everywhere else. */
final class OtlpIds {
  static final int TRACE_ID_BYTES = 16;
  static final int SPAN_ID_BYTES = 8;

  private OtlpIds() {}

  static String hex(ByteString id) {
    return HexFormat.of().formatHex(id.toByteArray());
  }

  /** Valid per W3C Trace Context: the right length and not all zeros (the "invalid" id). */
  static boolean isValid(ByteString id, int length) {
    return id.size() == length && !allZero(id);
  }

  static boolean allZero(ByteString id) {
    for (int i = 0; i < id.size(); i++) {
      if (id.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
