package io.tracestitch.demo;

import static io.tracestitch.demo.TraceAttributes.DB_COLLECTION;
import static io.tracestitch.demo.TraceAttributes.DB_OPERATION;
import static io.tracestitch.demo.TraceAttributes.DB_QUERY;
import static io.tracestitch.demo.TraceAttributes.DB_SYSTEM;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import java.time.Duration;

/** A service's database calls as CLIENT spans named "<operation> <table>", as database instrumentation names them. */
final class DatabaseCalls {
  private final Tracer tracer;

  DatabaseCalls(Tracer tracer) {
    this.tracer = tracer;
  }

  void query(String operation, String table, String queryText, Duration takes) {
    Span span = tracer.spanBuilder(operation + " " + table)
        .setSpanKind(SpanKind.CLIENT)
        .setAttribute(DB_SYSTEM, "postgresql")
        .setAttribute(DB_OPERATION, operation)
        .setAttribute(DB_COLLECTION, table)
        .setAttribute(DB_QUERY, queryText)
        .startSpan();
    try {
      SimulatedWork.takes(takes);
    } finally {
      span.end();
    }
  }
}
