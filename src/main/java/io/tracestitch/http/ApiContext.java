package io.tracestitch.http;

import io.tracestitch.topology.StitchSettings;
import io.tracestitch.topology.workflow.TelemetryCompleteness.ServiceShare;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/**
 * What the HTTP endpoints answer from.
 *
 * @param streams the running Kafka Streams instance (interactive queries, its state and metadata)
 * @param restorations the restore listener registered on {@code streams} before it started
 * @param metricsText the Prometheus text of this instance's metrics, rendered per scrape
 * @param settings the topology's settings: store layout, topics, assembly parameters
 * @param self this instance as the others reach it: the {@code application.server} Streams was given
 * @param peerTimeout how long to wait for another instance
 * @param clock "now" of graphs assembled on demand
 * @param streamThreads what the uncaught-exception handler saw of failing stream threads ({@code /healthz})
 * @param telemetryCompleteness per consuming service, this instance's telemetry completeness ({@code /api/telemetry})
 */
public record ApiContext(KafkaStreams streams, Restorations restorations, Supplier<String> metricsText,
    StitchSettings settings, HostInfo self, Duration peerTimeout, Clock clock,
    Supplier<StreamThreadReport> streamThreads, Supplier<List<ServiceShare>> telemetryCompleteness) {

  /** Without telemetry completeness: {@code /api/telemetry} answers an empty list. */
  public ApiContext(KafkaStreams streams, Restorations restorations, Supplier<String> metricsText,
      StitchSettings settings, HostInfo self, Duration peerTimeout, Clock clock,
      Supplier<StreamThreadReport> streamThreads) {
    this(streams, restorations, metricsText, settings, self, peerTimeout, clock, streamThreads, List::of);
  }

  /** Without a report of failing stream threads (tests that never fail one). */
  public ApiContext(KafkaStreams streams, Restorations restorations, Supplier<String> metricsText,
      StitchSettings settings, HostInfo self, Duration peerTimeout, Clock clock) {
    this(streams, restorations, metricsText, settings, self, peerTimeout, clock, () -> StreamThreadReport.NONE);
  }
}
