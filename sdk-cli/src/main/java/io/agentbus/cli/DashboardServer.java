package io.agentbus.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The dashboard's web server (Jetty): the page and its assets from the jar (no CDN: it works
 * offline), {@code /api/state} (one snapshot), {@code /events} (server-sent events, a snapshot a
 * second) and {@code POST /api/dlq/replay?seq=N}.
 */
final class DashboardServer implements AutoCloseable {
  private static final String ASSETS = "/io/agentbus/cli/dashboard/";
  private static final Map<String, String> PAGES = Map.of(
      "/", "index.html", "/index.html", "index.html",
      "/dashboard.js", "dashboard.js", "/dashboard.css", "dashboard.css");

  private final MeshModel model;
  private final Server server;
  private final ServerConnector connector;
  private final long eventMillis;
  private volatile boolean stopping;

  DashboardServer(MeshModel model, String host, int port, long eventMillis) {
    this.model = model;
    this.eventMillis = eventMillis;
    QueuedThreadPool threads = new QueuedThreadPool(32, 4);
    threads.setName("agentbus-dashboard");
    threads.setDaemon(true);
    this.server = new Server(threads);
    this.connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setStopTimeout(2000);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        return serve(request, response, callback);
      }
    });
  }

  void start() throws Exception {
    server.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(connector.getHost() == null ? "0.0.0.0" : connector.getHost(),
        connector.getLocalPort());
  }

  private boolean serve(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    String asset = PAGES.get(path);
    if (asset != null && request.getMethod().equals("GET")) {
      byte[] bytes = asset(asset);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, asset.endsWith(".html")
          ? "text/html; charset=utf-8" : asset.endsWith(".js")
          ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8");
      response.write(true, ByteBuffer.wrap(bytes), callback);
      return true;
    }
    if (path.equals("/api/state") && request.getMethod().equals("GET")) {
      json(response, callback, HttpStatus.OK_200, model.snapshot());
      return true;
    }
    if (path.equals("/api/dlq/replay") && request.getMethod().equals("POST")) {
      String seq = Request.extractQueryParameters(request).getValue("seq");
      long sequence;
      try {
        sequence = Long.parseLong(seq == null ? "" : seq);
      } catch (NumberFormatException e) {
        json(response, callback, HttpStatus.BAD_REQUEST_400,
            Map.of("error", "seq must be a dead letter's sequence number, was " + seq));
        return true;
      }
      try {
        json(response, callback, HttpStatus.OK_200, model.replay(sequence));
      } catch (CliException e) {
        json(response, callback, HttpStatus.NOT_FOUND_404, Map.of("error", e.getMessage()));
      }
      return true;
    }
    if (path.equals("/events") && request.getMethod().equals("GET")) {
      events(response, callback);
      return true;
    }
    Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404);
    return true;
  }

  /** A snapshot a second until the page goes away or the dashboard stops. */
  private void events(Response response, Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      while (!stopping) {
        out.write(("event: state\ndata: " + Json.line(model.snapshot()) + "\n\n")
            .getBytes(StandardCharsets.UTF_8));
        out.flush();
        Thread.sleep(eventMillis);
      }
      callback.succeeded();
    } catch (IOException gone) {
      callback.succeeded(); // the page was closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      callback.succeeded();
    }
  }

  private static void json(Response response, Callback callback, int status, Object body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(Json.line(body).getBytes(StandardCharsets.UTF_8)),
        callback);
  }

  private static byte[] asset(String name) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream(ASSETS + name)) {
      if (in == null) {
        throw new IOException("The dashboard asset " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    }
  }

  @Override
  public void close() {
    stopping = true;
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("The dashboard's web server did not stop: " + e, e);
    }
  }
}
