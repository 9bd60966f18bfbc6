package io.tracestitch.topology.ingest;

import static io.tracestitch.topology.ingest.OtlpFixtures.T0;
import static io.tracestitch.topology.ingest.OtlpFixtures.attr;
import static io.tracestitch.topology.ingest.OtlpFixtures.id;
import static io.tracestitch.topology.ingest.OtlpFixtures.request;
import static io.tracestitch.topology.ingest.OtlpFixtures.resource;
import static io.tracestitch.topology.ingest.OtlpFixtures.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tracestitch.avro.internal.SpanException;
import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class OtlpSpanDecoderTest {
  private static final String TRACE_A = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACE_B = "5b8efff798038103d269b633813fc60c";
  private static final String TRACE_C = "0af7651916cd43dd8448eb211c80319c";

  private final OtlpSpanDecoder proto = new OtlpSpanDecoder(SpanEncoding.OTLP_PROTO, SpanAttributeSettings.defaults());

  @Test
  void collectorBatchWithTwoResourcesAndThreeTracesDecodesEverySpan() throws Exception {
    ExportTraceServiceRequest batch = request(
        resource("order",
            span(TRACE_A, "00f067aa0ba902b7", "POST /orders", 0).setKind(Span.SpanKind.SPAN_KIND_SERVER),
            span(TRACE_A, "b7ad6b7169203331", "order.created publish", 1)
                .setParentSpanId(id("00f067aa0ba902b7")).setKind(Span.SpanKind.SPAN_KIND_PRODUCER),
            span(TRACE_B, "53995c3f42cd8ad8", "GET /orders/{id}", 2).setKind(Span.SpanKind.SPAN_KIND_SERVER)),
        resource("inventory",
            span(TRACE_C, "c2fb2d3e4a5f6071", "order.created process", 3)
                .setKind(Span.SpanKind.SPAN_KIND_CONSUMER)
                .addLinks(Span.Link.newBuilder().setTraceId(id(TRACE_A)).setSpanId(id("b7ad6b7169203331")))
                .addAttributes(attr("correlation_id", "order-441"))));

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.rejected()).isEmpty();
    assertThat(decoded.truncatedAttributeSpans()).isZero();
    assertThat(decoded.spans()).extracting(SpanRecord::getTraceId, SpanRecord::getSpanId, SpanRecord::getService)
        .containsExactly(
            tuple(TRACE_A, "00f067aa0ba902b7", "order"),
            tuple(TRACE_A, "b7ad6b7169203331", "order"),
            tuple(TRACE_B, "53995c3f42cd8ad8", "order"),
            tuple(TRACE_C, "c2fb2d3e4a5f6071", "inventory"));
    Map<String, SpanRecord> bySpan = decoded.spans().stream()
        .collect(Collectors.toMap(SpanRecord::getSpanId, Function.identity()));
    assertThat(bySpan.get("00f067aa0ba902b7").getParentSpanId()).isNull();
    assertThat(bySpan.get("00f067aa0ba902b7").getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(bySpan.get("b7ad6b7169203331").getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(bySpan.get("b7ad6b7169203331").getStartNanos()).isEqualTo(T0 + 1_000_000L);
    assertThat(bySpan.get("b7ad6b7169203331").getEndNanos()).isEqualTo(T0 + 6_000_000L);
    assertThat(bySpan.get("c2fb2d3e4a5f6071").getLinks())
        .containsExactly(new SpanLinkRef(TRACE_A, "b7ad6b7169203331"));
    assertThat(bySpan.get("c2fb2d3e4a5f6071").getCorrelationId()).isEqualTo("order-441");
    assertThat(bySpan.get("53995c3f42cd8ad8").getMessaging()).isNull();
  }

  @Test
  void statusExceptionsVersionAndResourceCorrelationAreRead() throws Exception {
    Span.Builder failing = span(TRACE_A, "00f067aa0ba902b7", "charge card", 0)
        .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("card declined"))
        .addEvents(Span.Event.newBuilder().setName("log").setTimeUnixNano(T0 + 1))
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(T0 + 2)
            .addAttributes(attr("exception.type", "com.acme.CardDeclined"))
            .addAttributes(attr("exception.message", "insufficient funds"))
            .addAttributes(attr("exception.stacktrace", "at com.acme.Payment.charge(Payment.java:42)")));
    ExportTraceServiceRequest batch = request(resource("payment", failing).toBuilder()
        .setResource(io.opentelemetry.proto.resource.v1.Resource.newBuilder()
            .addAttributes(attr("service.name", "payment"))
            .addAttributes(attr("service.version", "2.3.1"))
            .addAttributes(attr("app.correlation_id", "checkout-7")))
        .build());

    SpanRecord span = proto.decode(batch.toByteArray()).spans().get(0);

    assertThat(span.getStatusCode()).isEqualTo(SpanStatus.ERROR);
    assertThat(span.getStatusMessage()).isEqualTo("card declined");
    assertThat(span.getExceptions())
        .containsExactly(new SpanException("com.acme.CardDeclined", "insufficient funds", T0 + 2));
    assertThat(span.getServiceVersion()).isEqualTo("2.3.1");
    assertThat(span.getCorrelationId()).isEqualTo("checkout-7");
  }

  @Test
  void spanWithoutServiceNameBelongsToUnknownService() throws Exception {
    ExportTraceServiceRequest batch = request(resource("x", span(TRACE_A, "00f067aa0ba902b7", "work", 0))
        .toBuilder().clearResource().build());

    assertThat(proto.decode(batch.toByteArray()).spans().get(0).getService()).isEqualTo("unknown_service");
  }

  @Test
  void otlpJsonWithHexIdsAndIntegerEnumsDecodesIdenticallyToTheProtobufForm() throws Exception {
    ExportTraceServiceRequest batch = request(
        resource("order",
            span(TRACE_A, "b7ad6b7169203331", "order.created publish", 0)
                .setParentSpanId(id("00f067aa0ba902b7"))
                .setKind(Span.SpanKind.SPAN_KIND_PRODUCER)
                .setFlags(0x301)
                .setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("broker down"))
                .addAttributes(attr("messaging.system", "kafka"))
                .addAttributes(attr("messaging.destination.partition.id", "3"))
                .addAttributes(attr("messaging.kafka.message.offset", 42L))
                .addAttributes(attr("http.response.status_code", 201.0))
                .addLinks(Span.Link.newBuilder().setTraceId(id(TRACE_B)).setSpanId(id("53995c3f42cd8ad8")))
                .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(T0 + 7)
                    .addAttributes(attr("exception.type", "TimeoutException"))),
            span(TRACE_B, "53995c3f42cd8ad8", "GET /orders/{id}", 1).setKind(Span.SpanKind.SPAN_KIND_SERVER)));
    long start0 = T0;
    long start1 = T0 + 1_000_000L;
    // Written the way the Collector's otlp_json encoding writes it: hex ids, integer enums, int64 as strings.
    // The second span uses the snake_case field names, which protobuf's JSON mapping also accepts.
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"order"}}]},
          "scopeSpans":[{"scope":{"name":"io.opentelemetry.kafka-clients-2.6","version":"2.10.0"},
            "spans":[
              {"traceId":"%s","spanId":"b7ad6b7169203331","parentSpanId":"00f067aa0ba902b7",
               "name":"order.created publish","kind":4,"flags":769,
               "startTimeUnixNano":"%d","endTimeUnixNano":"%d",
               "attributes":[
                 {"key":"messaging.system","value":{"stringValue":"kafka"}},
                 {"key":"messaging.destination.partition.id","value":{"stringValue":"3"}},
                 {"key":"messaging.kafka.message.offset","value":{"intValue":"42"}},
                 {"key":"http.response.status_code","value":{"doubleValue":201.0}}],
               "events":[{"timeUnixNano":"%d","name":"exception",
                 "attributes":[{"key":"exception.type","value":{"stringValue":"TimeoutException"}}]}],
               "links":[{"traceId":"%s","spanId":"53995c3f42cd8ad8"}],
               "status":{"message":"broker down","code":2}},
              {"trace_id":"%s","span_id":"53995c3f42cd8ad8","parent_span_id":"","name":"GET /orders/{id}",
               "kind":2,"start_time_unix_nano":%d,"end_time_unix_nano":%d,"someFutureField":{"x":1}}
            ]}]}]}
        """.formatted(TRACE_A, start0, start0 + 5_000_000L, T0 + 7, TRACE_B,
        TRACE_B, start1, start1 + 5_000_000L);
    OtlpSpanDecoder jsonDecoder = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());

    DecodedSpans fromJson = jsonDecoder.decode(json.getBytes(StandardCharsets.UTF_8));
    DecodedSpans fromProto = proto.decode(batch.toByteArray());

    assertThat(fromJson.rejected()).isEmpty();
    assertThat(fromJson.spans()).hasSize(2).isEqualTo(fromProto.spans());
    SpanRecord producer = fromJson.spans().get(0);
    assertThat(producer.getTraceId()).isEqualTo(TRACE_A);
    assertThat(producer.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(producer.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(producer.getStatusCode()).isEqualTo(SpanStatus.ERROR);
    assertThat(producer.getMessaging().getPartition()).isEqualTo(3);
    assertThat(producer.getMessaging().getOffset()).isEqualTo(42L);
    assertThat(producer.getAttributes()).containsEntry("http.response.status_code", "201");
    assertThat(fromJson.spans().get(1).getParentSpanId()).isNull();
  }

  @Test
  void spanFlagsLowByteIsTheW3cTraceFlags() throws Exception {
    ExportTraceServiceRequest batch = request(resource("order",
        span(TRACE_A, "0000000000000001", "flags 03", 0).setFlags(0x03),
        span(TRACE_A, "0000000000000002", "flags 02, remote bits set", 0).setFlags(0x302),
        span(TRACE_A, "0000000000000003", "flags 00", 0).setFlags(0x100),
        span(TRACE_A, "0000000000000004", "flags left unset by an old exporter", 0)));

    assertThat(proto.decode(batch.toByteArray()).spans()).extracting(SpanRecord::getSampled)
        .containsExactly(true, false, true, true);
  }

  @Test
  void invalidTraceIdSpanIsRejectedWhileTheRestOfTheBatchSurvivesAndItsRequestDecodesAgain() throws Exception {
    ExportTraceServiceRequest batch = request(
        resource("order",
            span(TRACE_A, "00f067aa0ba902b7", "good one", 0),
            span("4bf92f3577b34da6a3ce929d0e0e47", "b7ad6b7169203331", "fifteen byte trace id", 1),
            span("00000000000000000000000000000000", "53995c3f42cd8ad8", "all-zero trace id", 2)),
        resource("inventory", span(TRACE_B, "c2fb2d3e4a5f6071", "good two", 3)));

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.spans()).extracting(SpanRecord::getName).containsExactly("good one", "good two");
    assertThat(decoded.rejected()).extracting(RejectedSpan::reason)
        .containsExactly(DeadLetterReason.INVALID_ID, DeadLetterReason.INVALID_ID);
    RejectedSpan rejected = decoded.rejected().get(0);
    assertThat(rejected.message()).contains("fifteen byte trace id", "15 bytes", "4bf92f3577b34da6a3ce929d0e0e47");

    ExportTraceServiceRequest alone = ExportTraceServiceRequest.parseFrom(rejected.request());
    assertThat(alone.getResourceSpansCount()).isEqualTo(1);
    assertThat(alone.getResourceSpans(0).getResource()).isEqualTo(batch.getResourceSpans(0).getResource());
    assertThat(alone.getResourceSpans(0).getScopeSpans(0).getScope())
        .isEqualTo(batch.getResourceSpans(0).getScopeSpans(0).getScope());
    assertThat(alone.getResourceSpans(0).getScopeSpans(0).getSpansList())
        .containsExactly(batch.getResourceSpans(0).getScopeSpans(0).getSpans(1));
    DecodedSpans again = proto.decode(rejected.request());
    assertThat(again.spans()).isEmpty();
    assertThat(again.rejected()).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_ID);
      assertThat(r.message()).isEqualTo(rejected.message());
    });
  }

  @Test
  void invalidIdSpanInOtlpJsonIsRejectedAsOneSpanOtlpJsonRequest() throws Exception {
    OtlpSpanDecoder jsonDecoder = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());
    String json = """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"order"}}]},
          "scopeSpans":[{"scope":{"name":"manual"},"spans":[
            {"traceId":"%1$s","spanId":"00f067aa0ba902b7","name":"kept","kind":1,
             "startTimeUnixNano":"%2$d","endTimeUnixNano":"%2$d"},
            {"traceId":"%1$s","spanId":"b7ad6b71692033","name":"seven byte span id","kind":1,
             "startTimeUnixNano":"%2$d","endTimeUnixNano":"%2$d"},
            {"traceId":"not-hex-at-all","spanId":"53995c3f42cd8ad8","name":"not hex","kind":1,
             "startTimeUnixNano":"%2$d","endTimeUnixNano":"%2$d"}]}]}]}
        """.formatted(TRACE_A, T0);

    DecodedSpans decoded = jsonDecoder.decode(json.getBytes(StandardCharsets.UTF_8));

    assertThat(decoded.spans()).extracting(SpanRecord::getName).containsExactly("kept");
    assertThat(decoded.rejected()).hasSize(2).allSatisfy(r -> {
      assertThat(r.reason()).isEqualTo(DeadLetterReason.INVALID_ID);
      String text = new String(r.request(), StandardCharsets.UTF_8);
      // A DLQ reader sees the OTLP/JSON form, hex ids included, and it decodes to the same verdict.
      assertThat(text).startsWith("{\"resourceSpans\"").contains("\"service.name\"");
      DecodedSpans again = jsonDecoder.decode(r.request());
      assertThat(again.spans()).isEmpty();
      assertThat(again.rejected()).singleElement().extracting(RejectedSpan::message).isEqualTo(r.message());
    });
    assertThat(decoded.rejected()).extracting(RejectedSpan::message).anySatisfy(m -> assertThat(m)
        .contains("seven byte span id", "b7ad6b71692033", "7 bytes"));
    assertThat(decoded.rejected()).extracting(r -> new String(r.request(), StandardCharsets.UTF_8))
        .anySatisfy(t -> assertThat(t).contains("\"spanId\":\"b7ad6b71692033\"", "\"traceId\":\"" + TRACE_A + "\""))
        .anySatisfy(t -> assertThat(t).contains("\"traceId\":\"not-hex-at-all\""));
  }

  @Test
  void missingIdsAndBadParentAreRejectedWithTheirOwnReasons() throws Exception {
    ExportTraceServiceRequest batch = request(resource("order",
        span(TRACE_A, "00f067aa0ba902b7", "no trace id", 0).clearTraceId(),
        span(TRACE_A, "00f067aa0ba902b7", "short parent", 0).setParentSpanId(id("00f067aa0ba9")),
        span(TRACE_A, "00f067aa0ba902b7", "zero parent means root", 0).setParentSpanId(id("0000000000000000"))));

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.rejected()).extracting(RejectedSpan::reason)
        .containsExactly(DeadLetterReason.MISSING_ID, DeadLetterReason.INVALID_ID);
    assertThat(decoded.spans()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("zero parent means root");
      assertThat(s.getParentSpanId()).isNull();
    });
  }

  @Test
  void absurdTimestampsAreRejected() throws Exception {
    long millisecondsMistakenForNanos = T0 / 1_000_000L;
    ExportTraceServiceRequest batch = request(resource("order",
        span(TRACE_A, "0000000000000001", "sane", 0),
        span(TRACE_A, "0000000000000002", "zero start", 0).setStartTimeUnixNano(0),
        span(TRACE_A, "0000000000000003", "milliseconds", 0)
            .setStartTimeUnixNano(millisecondsMistakenForNanos).setEndTimeUnixNano(millisecondsMistakenForNanos + 5),
        span(TRACE_A, "0000000000000004", "ends before it starts", 0).setEndTimeUnixNano(T0 - 1),
        span(TRACE_A, "0000000000000005", "year 2262", 0).setEndTimeUnixNano(Long.MAX_VALUE),
        span(TRACE_A, "0000000000000006", "beyond 2^63", 0).setEndTimeUnixNano(-5L)));

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.spans()).extracting(SpanRecord::getName).containsExactly("sane");
    assertThat(decoded.rejected()).hasSize(5)
        .allSatisfy(r -> assertThat(r.reason()).isEqualTo(DeadLetterReason.ABSURD_TIMESTAMP));
    assertThat(decoded.rejected().get(2).message()).contains("end time before its start");
    assertThat(decoded.rejected().get(4).message()).contains(Long.toUnsignedString(-5L));
  }

  @Test
  void megabyteAttributeValueIsTruncatedNotRejected() throws Exception {
    String megabyteQuery = "SELECT * FROM stock WHERE sku IN (" + "'x',".repeat(262_144) + "'y')";
    ExportTraceServiceRequest batch = request(resource("inventory",
        span(TRACE_A, "00f067aa0ba902b7", "SELECT stock", 0)
            .addAttributes(attr("db.system", "postgresql"))
            .addAttributes(attr("db.statement", megabyteQuery))
            .addAttributes(attr("not.kept", "dropped on purpose")),
        span(TRACE_A, "b7ad6b7169203331", "small", 1).addAttributes(attr("db.system", "postgresql"))));
    assertThat(megabyteQuery.length()).isGreaterThan(1_000_000);

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.rejected()).isEmpty();
    assertThat(decoded.truncatedAttributeSpans()).isEqualTo(1);
    SpanRecord big = decoded.spans().get(0);
    assertThat(big.getAttributesTruncated()).isTrue();
    assertThat(big.getAttributes().get("db.statement")).hasSize(1024).isEqualTo(megabyteQuery.substring(0, 1024));
    assertThat(big.getAttributes()).containsEntry("db.system", "postgresql").doesNotContainKey("not.kept");
    assertThat(decoded.spans().get(1).getAttributesTruncated()).isFalse();
  }

  @Test
  void attributesBeyondTheMaximumCountAreCutAndMarked() throws Exception {
    SpanAttributeSettings two = new SpanAttributeSettings(List.of(), List.of(), List.of(), 2, 100,
        List.of("messaging.*", "http.route"));
    Span.Builder span = span(TRACE_A, "00f067aa0ba902b7", "many", 0)
        .addAttributes(attr("http.route", "/orders"))
        .addAttributes(attr("unrelated", "x"))
        .addAttributes(attr("messaging.batch.message_count", 3L))
        .addAttributes(attr("messaging.kafka.message.key", "k"));

    DecodedSpans decoded = new OtlpSpanDecoder(SpanEncoding.OTLP_PROTO, two)
        .decode(request(resource("s", span)).toByteArray());

    assertThat(decoded.spans().get(0).getAttributes())
        .containsExactly(Map.entry("http.route", "/orders"), Map.entry("messaging.batch.message_count", "3"));
    assertThat(decoded.spans().get(0).getAttributesTruncated()).isTrue();
    assertThat(decoded.truncatedAttributeSpans()).isEqualTo(1);
  }

  @Test
  void giganticCorrelationIdRejectsTheSpanAsTooLarge() throws Exception {
    ExportTraceServiceRequest batch = request(resource("order",
        span(TRACE_A, "00f067aa0ba902b7", "huge correlation", 0).addAttributes(attr("correlation_id", "c".repeat(5000))),
        span(TRACE_A, "b7ad6b7169203331", "fine", 0).addAttributes(attr("event.id", "evt-1"))));

    DecodedSpans decoded = proto.decode(batch.toByteArray());

    assertThat(decoded.rejected()).singleElement().satisfies(r -> {
      assertThat(r.reason()).isEqualTo(DeadLetterReason.TOO_LARGE);
      assertThat(r.message()).contains("5000 characters");
    });
    assertThat(decoded.spans()).singleElement().extracting(SpanRecord::getEventId).isEqualTo("evt-1");
  }

  @Test
  void garbageBytesAreUndecodable() {
    byte[] garbage = "this is not protobuf, it is a sentence".getBytes(StandardCharsets.UTF_8);

    UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class, () -> proto.decode(garbage));

    assertThat(e.reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
    assertThat(e.getMessage()).startsWith("The span record is not a protobuf ExportTraceServiceRequest")
        .hasSizeGreaterThan("The span record is not a protobuf ExportTraceServiceRequest (otlp_proto): ".length());
  }

  @Test
  void garbageJsonIsUndecodable() {
    OtlpSpanDecoder json = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());
    for (String garbage : List.of("{not json", "[1, 2, 3]", "{\"hello\":\"world\"}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"yesterday\"}]}]}]}")) {
      UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class,
          () -> json.decode(garbage.getBytes(StandardCharsets.UTF_8)));
      assertThat(e).as(garbage).isNotNull();
      assertThat(e.reason()).as(garbage).isEqualTo(DeadLetterReason.UNDECODABLE);
    }
  }

  @Test
  void protobufBytesGivenToTheJsonDecoderAreUndecodable() {
    OtlpSpanDecoder json = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());
    byte[] protobuf = request(resource("order", span(TRACE_A, "00f067aa0ba902b7", "x", 0))).toByteArray();

    assertThatThrownBy(() -> json.decode(protobuf)).isInstanceOf(UnusableRecordException.class)
        .extracting(e -> ((UnusableRecordException) e).reason()).isEqualTo(DeadLetterReason.UNDECODABLE);
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButAnUnusableRecord() {
    Random random = new Random(20240501L);
    OtlpSpanDecoder json = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());
    for (int i = 0; i < 500; i++) {
      byte[] bytes = new byte[1 + random.nextInt(200)];
      random.nextBytes(bytes);
      for (OtlpSpanDecoder decoder : List.of(proto, json)) {
        try {
          DecodedSpans decoded = decoder.decode(bytes);
          assertThat(decoded.spans().size() + decoded.rejected().size()).isPositive();
        } catch (UnusableRecordException e) {
          assertThat(e.reason()).isIn(DeadLetterReason.UNDECODABLE, DeadLetterReason.EMPTY);
        }
      }
    }
  }

  @Test
  void nullEmptyAndSpanlessRecordsAreEmpty() {
    OtlpSpanDecoder json = new OtlpSpanDecoder(SpanEncoding.OTLP_JSON, SpanAttributeSettings.defaults());
    byte[] noSpans = request(resource("order")).toByteArray();
    for (var attempt : List.<ThrowingCallable>of(
        () -> proto.decode(null), () -> proto.decode(new byte[0]), () -> proto.decode(noSpans),
        () -> json.decode("{\"resourceSpans\":[]}".getBytes(StandardCharsets.UTF_8)),
        () -> json.decode("  ".getBytes(StandardCharsets.UTF_8)))) {
      UnusableRecordException e = catchThrowableOfType(UnusableRecordException.class, attempt);
      assertThat(e.reason()).isEqualTo(DeadLetterReason.EMPTY);
    }
  }

  @Test
  void spanEncodingParsesTheCollectorNames() {
    assertThat(SpanEncoding.parse("otlp_proto")).isEqualTo(SpanEncoding.OTLP_PROTO);
    assertThat(SpanEncoding.parse(" OTLP_JSON ")).isEqualTo(SpanEncoding.OTLP_JSON);
    assertThat(SpanEncoding.parse("otlp-json")).isEqualTo(SpanEncoding.OTLP_JSON);
    assertThatThrownBy(() -> SpanEncoding.parse("jaeger_proto"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jaeger_proto").hasMessageContaining("otlp_proto or otlp_json");
    assertThatThrownBy(() -> SpanEncoding.parse(null)).isInstanceOf(IllegalArgumentException.class);
  }
}
