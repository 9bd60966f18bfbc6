package io.tracestitch.serdes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A loopback HTTP(S) server that records what a client sends and answers with a fixed reply per
 * request, to check the registry client's requests (headers, paths, caching, error handling)
 * without a registry. The registry's real behaviour is covered by ApicurioRegistryIT.
 */
final class RecordingHttpServer implements AutoCloseable {

  /** What the client sent. */
  record Request(String method, String path, String contentType, String authorization, String body) {}

  /** What to answer. */
  record Reply(int status, String body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  private RecordingHttpServer(HttpServer server, Function<Request, Reply> replies) {
    this.server = server;
    server.createContext("/", exchange -> handle(exchange, replies));
    server.start();
  }

  static RecordingHttpServer http(Function<Request, Reply> replies) throws IOException {
    return new RecordingHttpServer(
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), replies);
  }

  static RecordingHttpServer https(SSLContext context, Function<Request, Reply> replies)
      throws IOException {
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(context));
    return new RecordingHttpServer(server, replies);
  }

  String url(String scheme) {
    return scheme + "://127.0.0.1:" + server.getAddress().getPort();
  }

  List<Request> requests() {
    return requests;
  }

  private void handle(HttpExchange exchange, Function<Request, Reply> replies) throws IOException {
    Request request = new Request(
        exchange.getRequestMethod(),
        exchange.getRequestURI().getRawPath(),
        exchange.getRequestHeaders().getFirst("Content-Type"),
        exchange.getRequestHeaders().getFirst("Authorization"),
        new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    requests.add(request);
    Reply reply = replies.apply(request);
    byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/vnd.schemaregistry.v1+json");
    // -1 announces an empty body; 0 would mean a chunked one.
    exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
