package io.agentbus.test.nats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** Asks a NATS port for its greeting: a NATS server sends an {@code INFO {...}} line first. */
final class ServerProbe {
  private ServerProbe() {}

  /** The server's INFO line, or null when nothing answers like a NATS server. */
  static @Nullable String info(String host, int port, Duration timeout) {
    int millis = (int) Math.max(1, timeout.toMillis());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), millis);
      s.setSoTimeout(millis);
      BufferedReader in = new BufferedReader(
          new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String line = in.readLine();
      return line != null && line.startsWith("INFO ") ? line : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Waits until the server greets, polling.
   *
   * @throws IllegalStateException when it did not within {@code timeout}
   */
  static void awaitReady(String host, int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (info(host, port, Duration.ofSeconds(1)) != null) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for NATS on " + host + ":"
            + port, e);
      }
    }
    throw new IllegalStateException("No NATS server answered on " + host + ":" + port
        + " within " + timeout.toSeconds() + " s");
  }
}
