package io.tracestitch.topology.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tracestitch.avro.internal.EventRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class EventIdentityExtractorTest {
  private final EventIdentityExtractor extractor = new EventIdentityExtractor(EventIdentitySettings.defaults());

  private static Headers headers(String... namesAndValues) {
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return headers;
  }

  private EventRecord extract(Headers headers, String payload) throws UnusableRecordException {
    return extractor.extract("orders", 2, 1234L, 1_700_000_000_000L, "ord_998877".getBytes(StandardCharsets.UTF_8),
        headers, payload == null ? null : payload.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void seed000MetadataEnvelopeGivesCorrelationAndTraceContext() throws Exception {
    String seed000 = """
        { "metadata": { "correlation_id": "req-xyz-123",
          "trace_parent": "00-4bf92f3577b34da6a3ce929d0e0e4736-01f067aa00000000-01",
          "timestamp": "2023-10-27T10:00:00Z" }, "payload": { "order_id": "ord_998877" } }
        """;

    EventRecord event = extract(headers(), seed000);

    assertThat(event.getCorrelationId()).isEqualTo("req-xyz-123");
    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getSpanId()).isEqualTo("01f067aa00000000");
    assertThat(event.getSampled()).isTrue();
    // Nothing in the envelope names the event: it is the topic's event at this position.
    assertThat(event.getEventId()).isEqualTo("orders-2@1234");
    assertThat(event.getEventIdFromRecord()).isFalse();
    assertThat(event.getEventName()).isEqualTo("orders");
    assertThat(event.getTopic()).isEqualTo("orders");
    assertThat(event.getPartition()).isEqualTo(2);
    assertThat(event.getOffset()).isEqualTo(1234L);
    assertThat(event.getTimestampMs()).isEqualTo(1_700_000_000_000L);
    assertThat(event.getKey()).isEqualTo("ord_998877");
  }

  @Test
  void seed002FlatEnvelopeKeepsTheEventButNotItsNonW3cTraceId() throws Exception {
    String seed002 = """
        {
          "eventId": "evt_8821",
          "traceId": "tr_501",
          "correlationId": "order_441",
          "parentSpanId": "span_22",
          "eventName": "payment.authorized"
        }
        """;

    EventRecord event = extract(headers(), seed002);

    assertThat(event.getEventId()).isEqualTo("evt_8821");
    assertThat(event.getEventIdFromRecord()).isTrue();
    assertThat(event.getEventName()).isEqualTo("payment.authorized");
    assertThat(event.getCorrelationId()).isEqualTo("order_441");
    assertThat(event.getTraceId()).isNull();
    assertThat(event.getSpanId()).isNull();
    assertThat(event.getParentSpanId()).isNull();
  }

  @Test
  void cloudEventsBinaryModeHeadersWithCeTraceparent() throws Exception {
    Headers ce = headers(
        "ce_specversion", "1.0",
        "ce_id", "a3f1c2d4-0001",
        "ce_type", "com.acme.order.created",
        "ce_source", "/checkout/order-service",
        "ce_traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
        "content-type", "application/avro");

    EventRecord event = extract(ce, null);

    assertThat(event.getEventId()).isEqualTo("a3f1c2d4-0001");
    assertThat(event.getEventIdFromRecord()).isTrue();
    assertThat(event.getEventName()).isEqualTo("com.acme.order.created");
    assertThat(event.getSource()).isEqualTo("/checkout/order-service");
    assertThat(event.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(event.getSpanId()).isEqualTo("b7ad6b7169203331");
    assertThat(event.getSampled()).isFalse();
    assertThat(event.getCorrelationId()).isNull();
  }

  @Test
  void cloudEventsStructuredModePayloadIsReadThroughThePointers() throws Exception {
    String structured = """
        {"specversion":"1.0","id":"e-77","type":"order.created","source":"/orders",
         "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","data":{"id":"ord-1"}}
        """;

    EventRecord event = extract(headers(), structured);

    assertThat(event.getEventId()).isEqualTo("e-77");
    assertThat(event.getEventName()).isEqualTo("order.created");
    assertThat(event.getSource()).isEqualTo("/orders");
    assertThat(event.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
  }

  @Test
  void traceparentWithFlags03IsAcceptedAndSampled() throws Exception {
    EventRecord event = extract(headers(
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03",
        "tracestate", "rojo=00f067aa0ba902b7"), "not json at all");

    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(event.getSampled()).isTrue();
  }

  @Test
  void xTraceIdUuidHeadersAreNormalisedAndUuidSpanIdsIgnored() throws Exception {
    // Seed 003's middleware: uuidv4() for every id, header names in title case.
    EventRecord event = extract(headers(
        "X-Trace-Id", "9F2B6C1E-7A4D-4E3B-8C5A-1D2E3F4A5B6C",
        "X-Span-Id", "3b1f0c2e-5d6a-4b7c-8e9f-0a1b2c3d4e5f",
        "X-Parent-Span-Id", "3b1f0c2e-5d6a-4b7c-8e9f-0a1b2c3d4e5f"), null);

    assertThat(event.getTraceId()).isEqualTo("9f2b6c1e7a4d4e3b8c5a1d2e3f4a5b6c");
    assertThat(event.getSpanId()).isNull();
    assertThat(event.getParentSpanId()).isNull();
    assertThat(event.getSampled()).isTrue();
  }

  @Test
  void xTraceIdHexHeadersKeepTheirSpanIds() throws Exception {
    EventRecord event = extract(headers(
        "x-trace-id", "4bf92f3577b34da6a3ce929d0e0e4736",
        "x-span-id", "00F067AA0BA902B7",
        "x-parent-span-id", "b7ad6b7169203331"), null);

    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(event.getParentSpanId()).isEqualTo("b7ad6b7169203331");
  }

  @Test
  void headersWinOverPayload() throws Exception {
    String payload = """
        {"eventId":"payload-evt","eventName":"payload.name","correlationId":"payload-corr",
         "metadata":{"trace_parent":"00-11111111111111111111111111111111-2222222222222222-01","source":"payload-src"}}
        """;
    Headers headers = headers(
        "Event_Id", "header-evt",
        "EVENT_TYPE", "header.name",
        "x-correlation-id", "header-corr",
        "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");

    EventRecord event = extract(headers, payload);

    assertThat(event.getEventId()).isEqualTo("header-evt");
    assertThat(event.getEventName()).isEqualTo("header.name");
    assertThat(event.getCorrelationId()).isEqualTo("header-corr");
    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getSpanId()).isEqualTo("00f067aa0ba902b7");
    // What the headers do not say still comes from the payload.
    assertThat(event.getSource()).isEqualTo("payload-src");
  }

  @Test
  void baggageCarriesTheCorrelationIdWhenNoHeaderDoes() throws Exception {
    EventRecord event = extract(headers("baggage", "userId=alice,correlation.id=order%20441;ttl=3"), null);

    assertThat(event.getCorrelationId()).isEqualTo("order 441");
    assertThat(event.getTraceId()).isNull();
  }

  @Test
  void invalidTraceparentFallsBackToTheNextSource() throws Exception {
    EventRecord event = extract(headers(
        "traceparent", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "ce_traceparent", "garbage"),
        "{\"traceId\":\"4BF92F3577B34DA6A3CE929D0E0E4736\",\"spanId\":\"00f067aa0ba902b7\"}");

    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getSpanId()).isEqualTo("00f067aa0ba902b7");
  }

  @Test
  void firstUsableValueWinsWithinOneList() throws Exception {
    EventIdentitySettings d = EventIdentitySettings.defaults();
    EventIdentityExtractor twoTraceHeaders = new EventIdentityExtractor(new EventIdentitySettings(
        d.eventIdHeaders(), d.eventNameHeaders(), d.correlationHeaders(), List.of("x-trace-id", "x-b3-traceid"),
        d.spanIdHeaders(), d.parentSpanIdHeaders(), d.baggageCorrelationKeys(), d.eventIdPointers(),
        d.eventNamePointers(), d.correlationPointers(), d.traceparentPointers(), d.traceIdPointers(),
        d.spanIdPointers(), d.parentSpanIdPointers(), d.sourcePointers()));

    EventRecord event = twoTraceHeaders.extract("orders", 0, 1L, 0L, null, headers(
        "x-trace-id", "tr_501", "x-b3-traceid", "4bf92f3577b34da6a3ce929d0e0e4736"),
        "{\"parentSpanId\":\"span_22\",\"parent_span_id\":\"00f067aa0ba902b7\"}".getBytes(StandardCharsets.UTF_8));

    assertThat(event.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(event.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(event.getKey()).isNull();
  }

  @Test
  void noIdsAtAllIsNoCorrelation() {
    UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class, () -> extract(
        headers("content-type", "application/json", "x-trace-id", "not-an-id"),
        "{\"eventId\":\"evt-1\",\"traceId\":\"tr_501\",\"payload\":{\"order_id\":\"ord_1\"}}"));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.NO_CORRELATION);
    assertThat(e.getMessage()).contains("orders-2@1234", "neither a correlation id nor a W3C trace id");
  }

  @Test
  void binaryPayloadAndBinaryHeadersAreNotAnError() throws Exception {
    RecordHeaders headers = new RecordHeaders();
    headers.add("correlation_id", new byte[] {(byte) 0xC3, (byte) 0x28});
    headers.add("x-correlation-id", "c-9".getBytes(StandardCharsets.UTF_8));
    byte[] avroLike = {0, 0, 0, 0, 7, 2, (byte) 0xFF, '{'};

    EventRecord event = extractor.extract("payments", 0, 5L, 0L, new byte[] {(byte) 0xFF, 1}, headers, avroLike);

    assertThat(event.getCorrelationId()).isEqualTo("c-9");
    assertThat(event.getKey()).isEqualTo("hex:ff01");
    assertThat(event.getEventName()).isEqualTo("payments");
  }

  @Test
  void payloadOverTheCapIsNotParsed() {
    String padding = "x".repeat(JsonPayload.MAX_PARSED_BYTES);
    String big = "{\"correlationId\":\"order-1\",\"padding\":\"" + padding + "\"}";

    UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class, () -> extract(headers(), big));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.NO_CORRELATION);
  }

  @Test
  void absurdlyLongCorrelationIdIsTooLarge() {
    UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class,
        () -> extract(headers("correlation_id", "c".repeat(5000)), null));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.TOO_LARGE);
  }

  @Test
  void settingsRejectAPointerThatIsNotOne() {
    EventIdentitySettings d = EventIdentitySettings.defaults();
    assertThatThrownBy(() -> new EventIdentitySettings(d.eventIdHeaders(), d.eventNameHeaders(),
        d.correlationHeaders(), d.traceIdHeaders(), d.spanIdHeaders(), d.parentSpanIdHeaders(),
        d.baggageCorrelationKeys(), List.of("metadata/event_id"), d.eventNamePointers(), d.correlationPointers(),
        d.traceparentPointers(), d.traceIdPointers(), d.spanIdPointers(), d.parentSpanIdPointers(),
        d.sourcePointers()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("eventIdPointers").hasMessageContaining("metadata/event_id");
  }
}
