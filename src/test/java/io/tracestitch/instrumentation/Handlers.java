package io.tracestitch.instrumentation;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Consumer code as services write it: the instrumentation has made its span current, and the handler creates
 * its own spans inside it, recording failures there (which is where a service using the Java library
 * instrumentation has to record them: the library never marks its process span as failed).
 */
final class Handlers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Handlers() {}

  /** Writes the event to its database: one CLIENT span that succeeds. */
  static RecordedOrders.Handler stores(String call) {
    return (service, record, nth) -> call(service.tracer(), call, null);
  }

  /**
   * Fails inside the handler and handles it the way such services do: an INTERNAL {@code store-event} span with
   * status ERROR and the exception event, the exception caught, the record committed. Nothing is retried.
   */
  static RecordedOrders.Handler failsToStore(String why) {
    return (service, record, nth) -> {
      Span store = service.tracer().spanBuilder("store-event").setSpanKind(SpanKind.INTERNAL).startSpan();
      try (Scope ignored = store.makeCurrent()) {
        throw new IOException(why);
      } catch (IOException e) {
        store.recordException(e);
        store.setStatus(StatusCode.ERROR, e.getMessage());
      } finally {
        store.end();
      }
    };
  }

  /** The first try of its write fails (CLIENT span with ERROR and the exception), the retry succeeds: handled. */
  static RecordedOrders.Handler retriesTheWriteOnce(String call) {
    return (service, record, nth) -> {
      call(service.tracer(), call, "deadlock detected");
      call(service.tracer(), call, null);
    };
  }

  /** Tries its write twice; both fail, and the handler gives up on the record. */
  static RecordedOrders.Handler retriesTheWriteInVain(String call) {
    return (service, record, nth) -> {
      call(service.tracer(), call, "connection refused");
      call(service.tracer(), call, "connection refused");
    };
  }

  /**
   * What a team whose consumer lost the trace context does so the workflow still finds it: the payload's
   * correlation id on the span the instrumentation made current.
   */
  static RecordedOrders.Handler tagsTheCorrelationId(String call) {
    return (service, record, nth) -> {
      Span.current().setAttribute("correlation_id", correlationId(record.value()));
      call(service.tracer(), call, null);
    };
  }

  /** A batch listener whose write of the whole poll throws: the batch span ends with the error. */
  static RecordedOrders.BatchHandler failsTheBatch(String why) {
    return (service, records) -> {
      throw new IllegalStateException(why);
    };
  }

  /** A batch listener's write of the whole poll in one statement. */
  static RecordedOrders.BatchHandler storesTheBatch(String call) {
    return (service, records) -> call(service.tracer(), call, null);
  }

  /** A database call named as the conventions name it ("INSERT points"), failing with {@code failure} unless null. */
  private static void call(Tracer tracer, String name, String failure) {
    Span db = tracer.spanBuilder(name).setSpanKind(SpanKind.CLIENT)
        .setAttribute("db.system.name", "postgresql").setAttribute("db.operation.name", name.split(" ")[0])
        .startSpan();
    try (Scope ignored = db.makeCurrent()) {
      if (failure != null) {
        throw new IOException(failure);
      }
    } catch (IOException e) {
      db.recordException(e);
      db.setStatus(StatusCode.ERROR, e.getMessage());
    } finally {
      db.end();
    }
  }

  private static String correlationId(String payload) {
    try {
      return JSON.readTree(payload).path("correlationId").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
