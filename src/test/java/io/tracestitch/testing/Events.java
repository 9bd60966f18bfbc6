package io.tracestitch.testing;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Business-event records for tests: headers as the OpenTelemetry Kafka instrumentation writes them. */
public final class Events {
  private Events() {}

  public static String traceparent(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  public static Headers headers(String... namesAndValues) {
    RecordHeaders headers = new RecordHeaders();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1].getBytes(StandardCharsets.UTF_8));
    }
    return headers;
  }

  /** The flat envelope of seed 002: eventId, correlationId and eventName at the top level. */
  public static byte[] flatEnvelope(String eventId, String correlationId, String eventName) {
    return ("{\"eventId\":\"" + eventId + "\",\"correlationId\":\"" + correlationId + "\",\"eventName\":\""
        + eventName + "\",\"payload\":{\"orderId\":\"ord_998877\"}}").getBytes(StandardCharsets.UTF_8);
  }
}
