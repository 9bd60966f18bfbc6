package io.tracestitch.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback between the processor and the broker, to cut the connection on purpose. FORWARD passes
 * bytes both ways; DROP keeps the connections open but loses every byte (requests time out, as behind a dead
 * switch); REFUSE resets every connection and every new one (as when the broker's host is unreachable). The
 * broker must advertise the proxy's port (see {@code EmbeddedKafkaBroker.startBehindProxy}), or clients would
 * learn the broker's own address from the first metadata answer and go around the proxy.
 */
final class TcpProxy implements AutoCloseable {
  enum Mode { FORWARD, DROP, REFUSE }

  private final ServerSocket server;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private volatile Mode mode = Mode.FORWARD;
  private volatile int targetPort;
  private volatile boolean closed;
  private final java.util.concurrent.atomic.AtomicLong droppedBytes = new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();

  TcpProxy() throws IOException {
    server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  void forwardTo(int port) {
    targetPort = port;
  }

  /** Switches the mode; REFUSE also resets every connection open now. */
  void set(Mode next) {
    mode = next;
    if (next == Mode.REFUSE) {
      refused.addAndGet(open.size() / 2);
      open.forEach(TcpProxy::reset);
      open.clear();
    }
  }

  /** Bytes lost in DROP mode: proof that the clients really went through the proxy. */
  long droppedBytes() {
    return droppedBytes.get();
  }

  /** Connections reset or refused in REFUSE mode. */
  long refused() {
    return refused.get();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (mode == Mode.REFUSE || targetPort == 0) {
        refused.incrementAndGet();
        reset(client);
        continue;
      }
      try {
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        open.add(client);
        open.add(upstream);
        pump(client, upstream, "tcp-proxy-up");
        pump(upstream, client, "tcp-proxy-down");
      } catch (IOException e) {
        reset(client);
      }
    }
  }

  private void pump(Socket from, Socket to, String name) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (mode == Mode.FORWARD) {
            out.write(buffer, 0, n);
            out.flush();
          } else {
            // DROP: the bytes are lost on the way.
            droppedBytes.addAndGet(n);
          }
        }
      } catch (IOException ignored) {
        // One side went away; the other is closed below.
      } finally {
        reset(from);
        reset(to);
        open.remove(from);
        open.remove(to);
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  private static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // Already closed.
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // Already closed.
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    open.forEach(TcpProxy::reset);
  }
}
