package io.tracestitch.topology.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tracestitch.avro.internal.SpanKind;
import io.tracestitch.avro.internal.SpanLinkRef;
import io.tracestitch.avro.internal.SpanRecord;
import io.tracestitch.avro.internal.SpanStatus;
import io.tracestitch.serdes.AvroTrust;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinkAnchorsTest {
  static {
    AvroTrust.trustGeneratedRecords();
  }

  private static final String POLL = "00000000000000000000000000000900";
  private static final String ORDER_1 = "00000000000000000000000000000801";
  private static final String ORDER_2 = "00000000000000000000000000000802";

  private static SpanRecord span(String id, String parent, SpanKind kind, String... linkedTraces) {
    return SpanRecord.newBuilder().setTraceId(POLL).setSpanId(id).setParentSpanId(parent).setName("s" + id)
        .setKind(kind).setService("inventory").setStartNanos(1).setEndNanos(2).setStatusCode(SpanStatus.UNSET)
        .setLinks(java.util.Arrays.stream(linkedTraces).map(t -> new SpanLinkRef(t, "00000000000000aa")).toList())
        .build();
  }

  private static List<String> ids(List<SpanRecord> spans) {
    return spans.stream().map(SpanRecord::getSpanId).toList();
  }

  @Test
  void eachProcessSpanGoesToTheTraceItLinksToWithItsSubtreeAndThePollGoesToBoth() {
    SpanRecord receive = span("01", null, SpanKind.CONSUMER);
    SpanRecord first = span("02", "01", SpanKind.CONSUMER, ORDER_1);
    SpanRecord handler = span("03", "02", SpanKind.CLIENT);
    SpanRecord second = span("04", "01", SpanKind.CONSUMER, ORDER_2);

    LinkAnchors.Split split = LinkAnchors.of(POLL, List.of(handler, first, receive, second));

    assertThat(split.rest()).isEmpty();
    assertThat(split.shares()).extracting(LinkAnchors.Share::linkedTraceId).containsExactly(ORDER_1, ORDER_2);
    assertThat(ids(split.shares().get(0).spans())).containsExactlyInAnyOrder("03", "02", "01");
    assertThat(ids(split.shares().get(1).spans())).containsExactlyInAnyOrder("01", "04");
  }

  @Test
  void aBatchSpanGoesToEveryTraceItLinksTo() {
    SpanRecord batch = span("01", null, SpanKind.CONSUMER, ORDER_1, ORDER_2);
    SpanRecord write = span("02", "01", SpanKind.CLIENT);

    LinkAnchors.Split split = LinkAnchors.of(POLL, List.of(batch, write));

    assertThat(split.shares()).hasSize(2);
    assertThat(split.shares()).allSatisfy(s -> assertThat(ids(s.spans())).containsExactlyInAnyOrder("01", "02"));
  }

  @Test
  void spansWithoutAConsumerLinkingElsewhereStayWithTheirTrace() {
    SpanRecord root = span("01", null, SpanKind.SERVER);
    SpanRecord linksOwnTrace = span("02", "01", SpanKind.CONSUMER, POLL);
    SpanRecord internalWithLink = span("03", "01", SpanKind.INTERNAL, ORDER_1);
    SpanRecord orphan = span("04", "99", SpanKind.CLIENT);

    LinkAnchors.Split split = LinkAnchors.of(POLL, List.of(root, linksOwnTrace, internalWithLink, orphan));

    assertThat(split.shares()).isEmpty();
    assertThat(ids(split.rest())).containsExactly("01", "02", "03", "04");
  }

  @Test
  void aTreeWithoutAnchorsBesideOneWithThemStaysWithTheTrace() {
    SpanRecord receive = span("01", null, SpanKind.CONSUMER);
    SpanRecord process = span("02", "01", SpanKind.CONSUMER, ORDER_1);
    SpanRecord unrelated = span("05", "77", SpanKind.CLIENT);
    SpanRecord cycleA = span("06", "07", SpanKind.INTERNAL);
    SpanRecord cycleB = span("07", "06", SpanKind.INTERNAL);

    LinkAnchors.Split split = LinkAnchors.of(POLL, List.of(receive, process, unrelated, cycleA, cycleB));

    assertThat(ids(split.shares().get(0).spans())).containsExactlyInAnyOrder("01", "02");
    assertThat(ids(split.rest())).containsExactly("05", "06", "07");
  }
}
