package io.tracestitch.topology.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.util.List;

/** The Collector Kafka exporter's default {@code otlp_proto} encoding: the binary protobuf request as is. */
final class ProtoRequestFormat implements OtlpRequestFormat {

  @Override
  public Parsed parse(byte[] value) throws UnusableRecordException {
    ExportTraceServiceRequest request;
    try {
      request = ExportTraceServiceRequest.parseFrom(value);
    } catch (InvalidProtocolBufferException e) {
      throw new UnusableRecordException(DeadLetterReason.UNDECODABLE,
          "The span record is not a protobuf ExportTraceServiceRequest (otlp_proto): " + e.getMessage());
    }
    // Protobuf reads many byte strings as "some unknown fields"; with no known field at all, it was not OTLP.
    boolean foreign = request.getResourceSpansCount() == 0 && !request.getUnknownFields().asMap().isEmpty();
    return new Parsed(request, List.of(), foreign);
  }

  @Override
  public byte[] encode(ExportTraceServiceRequest request) {
    return request.toByteArray();
  }
}
