package io.tracestitch.demo;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each batch of finished spans to the span topic the way the OpenTelemetry Collector's Kafka
 * exporter does with {@code encoding: otlp_proto}: one record per batch, no key (the Collector keys
 * records only with {@code partition_traces_by_id}), the value an {@code ExportTraceServiceRequest}.
 *
 * <p>The producer is shared by the exporters of all simulated services, as one Collector would serve
 * them all, so it is not closed here.
 */
public final class KafkaSpanExporter implements SpanExporter {
  private static final Logger log = LoggerFactory.getLogger(KafkaSpanExporter.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;
  private final AtomicBoolean shutDown = new AtomicBoolean();

  public KafkaSpanExporter(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    if (shutDown.get()) {
      return CompletableResultCode.ofFailure();
    }
    if (spans.isEmpty()) {
      return CompletableResultCode.ofSuccess();
    }
    byte[] request = OtlpExportRequests.of(spans).toByteArray();
    CompletableResultCode result = new CompletableResultCode();
    try {
      producer.send(new ProducerRecord<>(topic, null, request), (metadata, error) -> {
        if (error == null) {
          result.succeed();
        } else {
          log.warn("{} span(s) could not be written to '{}': {}", spans.size(), topic, error.toString());
          result.fail();
        }
      });
    } catch (KafkaException | IllegalStateException e) {
      log.warn("{} span(s) could not be handed to the producer for '{}': {}", spans.size(), topic, e.toString());
      result.fail();
    }
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    try {
      producer.flush();
      return CompletableResultCode.ofSuccess();
    } catch (KafkaException | IllegalStateException e) {
      return CompletableResultCode.ofFailure();
    }
  }

  @Override
  public CompletableResultCode shutdown() {
    if (!shutDown.compareAndSet(false, true)) {
      return CompletableResultCode.ofSuccess();
    }
    return flush();
  }
}
