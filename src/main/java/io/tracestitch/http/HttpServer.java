package io.tracestitch.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.URIUtil;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * tracestitch's HTTP server (Jetty's core server, no servlets). Binding and serving are two steps:
 * the port is bound first, so that with {@code http.port=0} the real port is known before Kafka
 * Streams is created and can be advertised as {@code application.server}; requests are answered
 * once {@link #serve} has the Kafka Streams instance to answer from (until then they wait in the
 * accept queue).
 *
 * <p>Handlers block (interactive queries, calls to other instances), so they run on the server's own
 * bounded thread pool, never on a stream thread.
 */
public final class HttpServer implements AutoCloseable {
  private static final int MAX_THREADS = 32;

  private final Server server;
  private final ServerConnector connector;

  private HttpServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /**
   * Listens on the port (0: any free one) on every interface.
   *
   * @throws IllegalStateException when the port cannot be bound, saying which
   */
  public static HttpServer bind(int port) {
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 4);
    threads.setName("tracestitch-http");
    Server server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    // A correlation id may contain '/': clients send it as %2F and Routes decodes each segment itself.
    http.setUriCompliance(UriCompliance.DEFAULT.with("tracestitch ids",
        UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setPort(port);
    server.addConnector(connector);
    try {
      connector.open();
    } catch (IOException e) {
      throw new IllegalStateException("Could not listen for HTTP on port " + port + " (" + e.getMessage()
          + "); free the port or choose another with http.port.", e);
    }
    return new HttpServer(server, connector);
  }

  /** The port actually bound. */
  public int port() {
    return connector.getLocalPort();
  }

  /** Starts answering: health, readiness, metrics and the workflow API of this Kafka Streams instance. */
  public void serve(ApiContext context) {
    serve(Endpoints.routes(context));
  }

  /**
   * Starts answering only the probes and the metrics: {@code /healthz}, {@code /readyz}, {@code /metrics}. For a
   * command with no state to query.
   */
  public void serveProbes(java.util.function.Supplier<HealthStatus> live,
      java.util.function.Supplier<HealthStatus> ready, java.util.function.Supplier<String> metricsText) {
    serve(Endpoints.probes(live, ready, metricsText));
  }

  void serve(Routes routes) {
    server.setHandler(new RoutesHandler(routes));
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException("The HTTP server on port " + port() + " did not start: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("The HTTP server on port " + port() + " did not stop cleanly.", e);
    } finally {
      // Bound but never served (the start failed in between): stopping the server would leave the port open.
      connector.close();
    }
  }

  /** Adapts Jetty's request and response to {@link Routes}. */
  private static final class RoutesHandler extends Handler.Abstract {
    private final Routes routes;

    RoutesHandler(Routes routes) {
      this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      ApiResponse answer;
      String rawPath = request.getHttpURI().getPath();
      try {
        answer = routes.handle(request.getMethod(), URIUtil.decodePath(rawPath), segments(rawPath),
            query(request));
      } catch (IllegalArgumentException e) {
        answer = ApiResponse.error(400, "The request's path or query is not properly encoded: " + e.getMessage());
      }
      response.setStatus(answer.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      UiPages.SECURITY_HEADERS.forEach(response.getHeaders()::put);
      response.write(true, ByteBuffer.wrap(answer.body()), callback);
      return true;
    }

    private static List<String> segments(String rawPath) {
      List<String> segments = new ArrayList<>();
      String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
      for (String segment : trimmed.split("/", -1)) {
        segments.add(URIUtil.decodePath(segment));
      }
      return segments;
    }

    private static Map<String, String> query(Request request) {
      Map<String, String> query = new LinkedHashMap<>();
      Fields fields = Request.extractQueryParameters(request);
      for (Fields.Field field : fields) {
        query.put(field.getName(), field.getValue());
      }
      return query;
    }
  }
}
