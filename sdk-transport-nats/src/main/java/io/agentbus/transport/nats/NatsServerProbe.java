package io.agentbus.transport.nats;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code INFO} line a NATS server sends in plain text to every new connection, to tell
 * why a TLS connect failed without a cause: a server that verifies client certificates and
 * refuses one (TLS 1.3) closes the connection after the handshake, leaving the client only a
 * timeout. Used only after a connect failed. Not instantiable.
 */
final class NatsServerProbe {
  private NatsServerProbe() {}

  /** The server's INFO line, or null if it could not be read within {@code timeout}. */
  static @Nullable String info(String url, Duration timeout) {
    URI uri = URI.create(url);
    int port = uri.getPort() > 0 ? uri.getPort() : 4222;
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), port), millis);
      s.setSoTimeout(millis);
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) >= 0 && b != '\n' && line.length() < 16_384) {
        line.append((char) b);
      }
      String text = line.toString();
      return text.startsWith("INFO") ? new String(text.getBytes(StandardCharsets.ISO_8859_1),
          StandardCharsets.UTF_8) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** True if the INFO line says the server verifies client certificates. */
  static boolean verifiesClients(@Nullable String info) {
    return info != null && info.replace(" ", "").contains("\"tls_verify\":true");
  }
}
