package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;

/** One wire encoding of {@link ExportTraceServiceRequest}, both ways: reading a batch, writing one rejected span. */
interface OtlpRequestFormat {

  /**
   * @throws UnusableRecordException (UNDECODABLE) when the bytes are not a request in this encoding
   */
  Parsed parse(byte[] value) throws UnusableRecordException;

  /** Encodes a request so that {@link #parse} reads it back. */
  byte[] encode(ExportTraceServiceRequest request);

  static OtlpRequestFormat of(SpanEncoding encoding) {
    return switch (encoding) {
      case OTLP_PROTO -> new ProtoRequestFormat();
      case OTLP_JSON -> new JsonRequestFormat();
    };
  }

  /**
   * @param request what could be parsed
   * @param rejectedWhileParsing spans that had to be taken out before the rest could be parsed
   * @param looksForeign true when nothing in the bytes was recognised as part of a request
   */
  record Parsed(ExportTraceServiceRequest request, List<RejectedSpan> rejectedWhileParsing, boolean looksForeign) {}
}
