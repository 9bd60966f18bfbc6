package io.tracestitch.topology.ingest;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tracestitch.avro.internal.SpanRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Explodes one span-topic record (a whole Collector batch: many resources, scopes and traces) into span
 * records. A bad span costs only itself: it comes back as a {@link RejectedSpan} while the rest of the batch
 * is used; only a record that cannot be read at all throws. Stateless and safe to share between threads.
 */
public final class OtlpSpanDecoder {
  private final SpanEncoding encoding;
  private final OtlpRequestFormat format;
  private final SpanConverter converter;

  public OtlpSpanDecoder(SpanEncoding encoding, SpanAttributeSettings settings) {
    this.encoding = Objects.requireNonNull(encoding, "encoding");
    this.format = OtlpRequestFormat.of(encoding);
    this.converter = new SpanConverter(Objects.requireNonNull(settings, "settings"));
  }

  /**
   * @throws UnusableRecordException when the record as a whole cannot be used (EMPTY, UNDECODABLE, or
   *     DECODER_FAILURE for an unexpected fault); never anything else
   */
  public DecodedSpans decode(byte[] value) throws UnusableRecordException {
    if (value == null || value.length == 0) {
      throw new UnusableRecordException(DeadLetterReason.EMPTY,
          "The span record has no value, so there is no ExportTraceServiceRequest to decode.");
    }
    try {
      return decodeParsed(format.parse(value));
    } catch (RuntimeException e) {
      // A stream thread must survive whatever a record holds; the record goes to the DLQ with the fault named.
      throw new UnusableRecordException(DeadLetterReason.DECODER_FAILURE, "Decoding the span record ("
          + encoding.name().toLowerCase(Locale.ROOT) + ") failed unexpectedly: " + e);
    }
  }

  private DecodedSpans decodeParsed(OtlpRequestFormat.Parsed parsed) throws UnusableRecordException {
    List<SpanRecord> spans = new ArrayList<>();
    List<RejectedSpan> rejected = new ArrayList<>(parsed.rejectedWhileParsing());
    int truncated = 0;
    for (ResourceSpans resourceSpans : parsed.request().getResourceSpansList()) {
      Attributes resource = new Attributes(resourceSpans.getResource().getAttributesList());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          try {
            SpanRecord record = converter.convert(resource, span);
            spans.add(record);
            if (record.getAttributesTruncated()) {
              truncated++;
            }
          } catch (UnusableRecordException e) {
            rejected.add(new RejectedSpan(e.reason(), e.getMessage(),
                format.encode(oneSpanRequest(resourceSpans, scopeSpans, span))));
          }
        }
      }
    }
    if (spans.isEmpty() && rejected.isEmpty()) {
      if (parsed.looksForeign()) {
        throw new UnusableRecordException(DeadLetterReason.UNDECODABLE, "The span record decodes to nothing "
            + "an ExportTraceServiceRequest holds (" + encoding.name().toLowerCase(Locale.ROOT)
            + "); it is probably some other kind of message.");
      }
      throw new UnusableRecordException(DeadLetterReason.EMPTY,
          "The span record is an ExportTraceServiceRequest without a single span.");
    }
    return new DecodedSpans(spans, rejected, truncated);
  }

  // toBuilder keeps the resource's and scope's own fields (schema URLs, unknown newer fields) as they came.
  private static ExportTraceServiceRequest oneSpanRequest(ResourceSpans resourceSpans, ScopeSpans scopeSpans,
      Span span) {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(resourceSpans.toBuilder().clearScopeSpans()
            .addScopeSpans(scopeSpans.toBuilder().clearSpans().addSpans(span)))
        .build();
  }
}
