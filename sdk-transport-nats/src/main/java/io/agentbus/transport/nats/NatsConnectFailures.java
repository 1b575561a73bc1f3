package io.agentbus.transport.nats;

import io.agentbus.TransportException;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import io.nats.client.AuthenticationException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Why a connect failed, in one message that names the cause and the settings to check: refused
 * credentials, a server that requires TLS, a server certificate that is not trusted, expired or
 * for another host, a client certificate missing or refused, or no server reachable. jnats throws
 * a generic exception and reports the cause only to its listeners, so the cause is looked for in
 * both. Only an unreachable server is retriable: the others fail the same way until a setting
 * changes. Not instantiable.
 */
final class NatsConnectFailures {
  private NatsConnectFailures() {}

  /** True if a server error says the credentials were refused. */
  static boolean isAuthError(String serverError) {
    String e = serverError.toLowerCase(Locale.ROOT);
    return e.contains("authorization violation") || e.contains("authentication")
        || e.contains("user authentication revoked");
  }

  /**
   * The exception for a failed connect with {@code c}.
   *
   * @param thrown what jnats threw
   * @param problems the exceptions jnats reported to its listener meanwhile, oldest first
   * @param serverError the last error the server sent meanwhile, or null
   */
  static TransportException of(NatsTransportConfig c, Exception thrown,
      java.util.List<Exception> problems, @Nullable String serverError) {
    if (thrown instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new TransportException("Interrupted while connecting to NATS", thrown, true);
    }
    String servers = NatsTransportConfig.redactUrls(String.join(",", c.servers()));
    StringBuilder texts = new StringBuilder(text(thrown));
    Throwable tls = find(thrown);
    boolean authException = thrown instanceof AuthenticationException;
    for (Exception p : problems) {
      texts.append(" | ").append(text(p));
      tls = tls != null ? tls : find(p);
      authException |= p instanceof AuthenticationException;
    }
    String all = (texts + " | " + serverError).toLowerCase(Locale.ROOT);
    Exception problem = problems.isEmpty() ? null : problems.get(0);
    Throwable cause = tls != null ? tls : problem != null ? problem : thrown;
    if (authException
        || (serverError != null && isAuthError(serverError))) {
      return new TransportException("NATS at " + servers + " refused the credentials ("
          + firstNonNull(serverError, text(thrown)).trim() + "): check "
          + c.auth().settingsToCheck(), cause, false);
    }
    if (all.contains("ssl required") || all.contains("tls required")) {
      return new TransportException("NATS at " + servers + " requires TLS, and this client "
          + "connected without it: use a tls:// URL in " + Key.URL.property() + " / "
          + NatsTransportConfig.NATS_URL + ", or set " + Key.TLS.property() + "=true", cause,
          false);
    }
    if (tls != null || all.contains("handshake") || all.contains("certificate")) {
      return new TransportException("The TLS handshake with NATS at " + servers + " failed: "
          + tlsCause(all) + " (" + text(tls != null ? tls : cause) + ")", cause, false);
    }
    String refusedClient = c.tls() ? clientRefusal(c) : null;
    if (refusedClient != null) {
      return new TransportException("The TLS handshake with NATS at " + servers + " failed: "
          + refusedClient, cause, false);
    }
    String detail = problem == null ? text(thrown) : text(thrown) + "; cause: " + text(problem);
    // a TLS server that closes the connection after its handshake (TLS 1.3 refusing a client
    // certificate) leaves only a timeout behind
    return new TransportException("Could not connect to NATS at " + servers + " as '"
        + c.connectionName() + "': " + detail + ". Is the server running and reachable? The "
        + "servers are set by " + Key.URL.property() + " / " + Key.URL.environmentVariable()
        + " / " + NatsTransportConfig.NATS_URL + "; " + Key.CONNECT_RETRY.property()
        + " waits for a server that starts later", cause, true);
  }

  /**
   * Why a server that verifies clients closed the connection, or null if it does not verify
   * them (asked of the first server, in plain text, as every NATS server answers).
   */
  private static @Nullable String clientRefusal(NatsTransportConfig c) {
    if (!NatsServerProbe.verifiesClients(
        NatsServerProbe.info(c.servers().get(0), c.connectTimeout()))) {
      return null;
    }
    if (!c.hasClientCertificateSource()) {
      return "the server requires a client certificate (mutual TLS) and none was sent: set "
          + Key.TLS_KEYSTORE.property();
    }
    java.time.Instant end = c.clientCertificateNotAfter();
    if (end != null && end.isBefore(java.time.Instant.now())) {
      return "the server refused this client's certificate, which expired on " + end
          + ": renew the certificate in " + Key.TLS_KEYSTORE.property();
    }
    return "the server verifies client certificates and closed the connection during the "
        + "handshake: it refused this client's certificate (not signed by a CA the server "
        + "trusts, or not for client authentication): check " + Key.TLS_KEYSTORE.property();
  }

  private static String tlsCause(String all) {
    if (all.contains("no subject alternative") || all.contains("no name matching")
        || all.contains("hostname")) {
      return "the server's certificate does not name the host in the URL (the host name is "
          + "checked unless " + Key.TLS_INSECURE_SKIP_HOSTNAME_CHECK.property() + " is set, "
          + "which is for tests only)";
    }
    if (all.contains("pkix path") || all.contains("unable to find valid certification path")) {
      return "the server's certificate is not signed by a CA this client trusts (PKIX path "
          + "building failed): check " + Key.TLS_TRUSTSTORE.property();
    }
    if (all.contains("certificate_required") || all.contains("certificate required")
        || all.contains("client certificate")) {
      return "the server requires a client certificate (mutual TLS) and none was sent: set "
          + Key.TLS_KEYSTORE.property();
    }
    if (all.contains("expired")) {
      return "a certificate has expired (" + (all.contains("certificate_expired")
          ? "the server refused this client's" : "the server's") + "): renew it";
    }
    if (all.contains("bad_certificate") || all.contains("unknown_ca")
        || all.contains("certificate_unknown") || all.contains("decrypt_error")) {
      return "the server refused this client's certificate (expired, or not signed by a CA the "
          + "server trusts): check " + Key.TLS_KEYSTORE.property();
    }
    return "check " + Key.TLS_TRUSTSTORE.property() + " (the server's CA) and "
        + Key.TLS_KEYSTORE.property() + " (this client's certificate, if the server verifies "
        + "clients)";
  }

  private static @Nullable Throwable find(Throwable root) {
    for (Throwable t = root; t != null; t = t.getCause()) {
      if (t instanceof SSLException || t instanceof CertificateExpiredException
          || t instanceof java.security.cert.CertificateException) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  private static String text(@Nullable Throwable t) {
    if (t == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(describe(t));
    for (Throwable c = t.getCause(); c != null && c != t; c = c.getCause()) {
      String d = describe(c);
      if (b.indexOf(d) < 0) {
        b.append(": ").append(d); // causes often repeat their wrapper's message
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return b.toString();
  }

  private static String describe(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String firstNonNull(@Nullable String a, String b) {
    return a != null ? a : b;
  }
}
