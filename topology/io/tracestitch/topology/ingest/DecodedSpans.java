package io.tracestitch.topology.ingest;

import io.tracestitch.avro.internal.SpanRecord;
import java.util.List;

/**
 * What one OTLP batch record turned into.
 *
 * @param truncatedAttributeSpans how many of {@code spans} lost detail to the size caps (they are still used)
 */
public record DecodedSpans(List<SpanRecord> spans, List<RejectedSpan> rejected, int truncatedAttributeSpans) {
  public DecodedSpans {
    spans = List.copyOf(spans);
    rejected = List.copyOf(rejected);
  }
}
