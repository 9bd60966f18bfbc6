package io.tracestitch.topology.ingest;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Collector Kafka exporter's {@code otlp_json} encoding. Protobuf's own JSON mapping does the parsing (it
 * already takes integer enums, int64 as number or string, and both field-name spellings); only the hex ids need
 * bridging first, see {@link OtlpJsonIds}.
 */
final class JsonRequestFormat implements OtlpRequestFormat {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // Newer OTLP fields this build does not know yet must not cost the whole batch.
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().printingEnumsAsInts().omittingInsignificantWhitespace();

  @Override
  public Parsed parse(byte[] value) throws UnusableRecordException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(value);
    } catch (JacksonException e) {
      throw new UnusableRecordException(DeadLetterReason.UNDECODABLE,
          "The span record is not JSON, so not an OTLP/JSON request (otlp_json): " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UnusableRecordException(DeadLetterReason.UNDECODABLE,
          "The span record could not be read as JSON (otlp_json): " + e.getMessage());
    }
    if (tree == null || tree.isMissingNode()) {
      throw new UnusableRecordException(DeadLetterReason.EMPTY, "The span record holds only white space.");
    }
    if (!(tree instanceof ObjectNode root)) {
      throw new UnusableRecordException(DeadLetterReason.UNDECODABLE, "The span record is a JSON "
          + tree.getNodeType().name().toLowerCase(Locale.ROOT)
          + ", but an OTLP/JSON ExportTraceServiceRequest is a JSON object.");
    }
    List<OtlpJsonIds.NonHexSpan> nonHex = OtlpJsonIds.hexToBase64(root);
    ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
    try {
      PARSER.merge(MAPPER.writeValueAsString(root), request);
    } catch (InvalidProtocolBufferException | JacksonException e) {
      throw new UnusableRecordException(DeadLetterReason.UNDECODABLE,
          "The span record is JSON but not an OTLP/JSON ExportTraceServiceRequest (otlp_json): " + e.getMessage());
    }
    List<RejectedSpan> rejected = new ArrayList<>(nonHex.size());
    for (OtlpJsonIds.NonHexSpan span : nonHex) {
      rejected.add(new RejectedSpan(DeadLetterReason.INVALID_ID, span.message(), oneSpan(span)));
    }
    boolean foreign = !root.has("resourceSpans") && !root.has("resource_spans");
    return new Parsed(request.build(), rejected, foreign);
  }

  @Override
  public byte[] encode(ExportTraceServiceRequest request) {
    try {
      ObjectNode tree = (ObjectNode) MAPPER.readTree(PRINTER.print(request));
      OtlpJsonIds.base64ToHex(tree);
      return MAPPER.writeValueAsBytes(tree);
    } catch (IOException e) {
      // Printing a message that was just parsed cannot fail short of a bug in the printer.
      throw new UncheckedIOException("Could not print an OTLP/JSON request", e);
    }
  }

  /** The span as it came, under copies of its own resource and scope: a request of one span. */
  private static byte[] oneSpan(OtlpJsonIds.NonHexSpan span) {
    ObjectNode scopeSpans = copyWithout(span.scopeSpans(), List.of("spans"));
    scopeSpans.set("spans", MAPPER.createArrayNode().add(span.span()));
    ObjectNode resourceSpans = copyWithout(span.resourceSpans(), List.of("scopeSpans", "scope_spans"));
    resourceSpans.set("scopeSpans", MAPPER.createArrayNode().add(scopeSpans));
    ArrayNode batch = MAPPER.createArrayNode().add(resourceSpans);
    ObjectNode request = MAPPER.createObjectNode();
    request.set("resourceSpans", batch);
    try {
      return MAPPER.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write an OTLP/JSON request", e);
    }
  }

  // The rest of the batch stays behind: copying it only to drop it again would cost a batch per rejected span.
  private static ObjectNode copyWithout(ObjectNode node, List<String> left) {
    ObjectNode copy = MAPPER.createObjectNode();
    for (var field : node.properties()) {
      if (!left.contains(field.getKey())) {
        copy.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    return copy;
  }
}
