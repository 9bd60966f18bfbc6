package io.tracestitch.demo;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;

/**
 * Runs a service's work inside spans: a named business step (so a graph reads "reserve-inventory", not only
 * "order.created process"), and a consumer's process span that ends failed when a step failed. A failure is
 * recorded the way instrumentation records it: an exception event and status ERROR with the message.
 */
final class Steps {

  /** Some simulated work that may fail as real work does, with a checked exception. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  private Steps() {}

  /** @throws StepFailedException when the work failed, after the step's span recorded it */
  static void step(Tracer tracer, String name, Work work) {
    Span span = tracer.spanBuilder(name).startSpan();
    try (Scope ignored = span.makeCurrent()) {
      work.run();
    } catch (StepFailedException e) {
      markFailed(span, e.getCause());
      throw e;
    } catch (Exception e) {
      markFailed(span, e);
      throw new StepFailedException(name, e);
    } finally {
      span.end();
    }
  }

  /** Runs the handling of one record inside its (already started) process span and ends the span. */
  static RecordHandler.Outcome process(Span process, Work work, RecordHandler.Outcome onFailure) {
    try (Scope ignored = process.makeCurrent()) {
      work.run();
      return RecordHandler.Outcome.DONE;
    } catch (StepFailedException e) {
      markFailed(process, e.getCause());
      return onFailure;
    } catch (Exception e) {
      markFailed(process, e);
      return onFailure;
    } finally {
      process.end();
    }
  }

  static void markFailed(Span span, Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, error.getMessage() == null ? error.getClass().getName() : error.getMessage());
  }
}
