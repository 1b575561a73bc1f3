package io.agentbus.test.nats;

import java.net.URI;

/** The server named by {@code NATS_URL}: used as it is, never stopped or restarted. */
final class ExternalNatsServer implements NatsServer {
  private final String url;
  private final String host;
  private final int port;

  ExternalNatsServer(String url) {
    this.url = url;
    String first = url.split(",")[0].trim();
    URI uri = URI.create(first.contains("://") ? first : "nats://" + first);
    this.host = uri.getHost() == null ? "localhost" : uri.getHost();
    this.port = uri.getPort() < 0 ? 4222 : uri.getPort();
  }

  @Override
  public String url() {
    return url;
  }

  @Override
  public String host() {
    return host;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public Kind kind() {
    return Kind.EXTERNAL;
  }

  @Override
  public boolean isRunning() {
    return true;
  }

  @Override
  public boolean canRestart() {
    return false;
  }

  @Override
  public void stop() {
    throw new UnsupportedOperationException("The server given by NATS_URL (" + url
        + ") is not managed by the tests and cannot be stopped; unset NATS_URL to let the tests "
        + "start their own nats-server");
  }

  @Override
  public void start() {
    throw new UnsupportedOperationException("The server given by NATS_URL (" + url
        + ") is not managed by the tests and cannot be restarted");
  }

  @Override
  public String toString() {
    return "NATS_URL " + url;
  }
}
