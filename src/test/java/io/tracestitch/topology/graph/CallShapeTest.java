package io.tracestitch.topology.graph;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallShapeTest {
  @org.junit.jupiter.api.BeforeAll
  static void trustTheGeneratedRecords() {
    io.tracestitch.serdes.AvroTrust.trustGeneratedRecords();
  }


  @Test
  void literalsOfEveryKindBecomePlaceholders() {
    assertThat(CallShape.stripLiterals("SELECT points FROM customer_points WHERE item_id = 17"))
        .isEqualTo("SELECT points FROM customer_points WHERE item_id = ?");
    assertThat(CallShape.stripLiterals("SELECT * FROM t2 WHERE name = 'O''Brien' AND x > -1.5e3 AND h = 0x1F"))
        .isEqualTo("SELECT * FROM t2 WHERE name = ? AND x > ? AND h = ?");
    assertThat(CallShape.stripLiterals("UPDATE stock SET n = $2 WHERE sku IN (1, 2,  3)"))
        .isEqualTo("UPDATE stock SET n = ? WHERE sku IN (?)");
  }

  @Test
  void callsThatDifferOnlyInTheirLiteralsHaveOneShapeAndOtherTablesAnother() {
    CallShape a = CallShape.of(query("SELECT points FROM customer_points WHERE item_id = 1"));
    CallShape b = CallShape.of(query("SELECT points FROM customer_points WHERE item_id = 2"));
    CallShape c = CallShape.of(query("SELECT points FROM vouchers WHERE item_id = 2"));

    assertThat(a).isEqualTo(b);
    assertThat(a.key()).isNotEqualTo(c.key());
    assertThat(a.readable()).isEqualTo("SELECT points (SELECT points FROM customer_points WHERE item_id = ?)");
  }

  @Test
  void clientsProducersAndSpansThatTalkToADatabaseAreCallsServersAndConsumersAreNot() {
    assertThat(CallShape.isCall(query("SELECT 1"))).isTrue();
    assertThat(CallShape.isCall(span(SpanKind.INTERNAL, Map.of("db.system", "redis")))).isTrue();
    assertThat(CallShape.isCall(span(SpanKind.INTERNAL, Map.of()))).isFalse();
    assertThat(CallShape.isCall(span(SpanKind.SERVER, Map.of("http.request.method", "GET")))).isFalse();
  }

  static SpanRecord query(String statement) {
    return span(SpanKind.CLIENT, Map.of("db.system", "postgresql", "db.statement", statement));
  }

  static SpanRecord span(SpanKind kind, Map<String, String> attributes) {
    return SpanRecord.newBuilder().setTraceId("t").setSpanId("s").setService("loyalty").setName("SELECT points")
        .setKind(kind).setStatusCode(SpanStatus.UNSET).setStartNanos(0).setEndNanos(1).setAttributes(attributes).build();
  }
}
