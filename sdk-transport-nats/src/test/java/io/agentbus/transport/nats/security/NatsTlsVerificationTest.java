package io.agentbus.transport.nats.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS proven against live nats-servers with certificates made by the test: mutual TLS with
 * {@code verify: true} accepts a good client certificate and refuses none, an expired one and one
 * from another CA; the client refuses a server certificate for another host or from an untrusted
 * CA; and a plain connection to a TLS server is told to use TLS. Every refusal names its cause
 * and is not retriable.
 */
class NatsTlsVerificationTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  @TempDir
  static Path dir;
  static TestCertificates certs;
  static NatsServer mutual;
  static NatsServer wrongHost;

  @BeforeAll
  static void makeCertificatesAndServers() throws Exception {
    certs = new TestCertificates(dir);
    certs.authority("ca");
    certs.authority("other-ca");
    certs.server("ca", "server", "IP:127.0.0.1,DNS:localhost");
    certs.server("ca", "evil", "DNS:evil.example");
    certs.client("ca", "client", false);
    certs.client("ca", "expired-client", true);
    certs.client("other-ca", "foreign-client", false);
    mutual = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(tlsBlock("server", true)).build());
    wrongHost = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .config(tlsBlock("evil", false)).build());
  }

  static String tlsBlock(String cert, boolean verify) {
    return "tls {\n  cert_file: \"" + certs.file(cert + ".pem") + "\"\n  key_file: \""
        + certs.file(cert + ".key") + "\"\n  ca_file: \"" + certs.file("ca.pem") + "\"\n"
        + "  verify: " + verify + "\n  timeout: 2\n}\n";
  }

  static NatsTransportConfig.Builder config(NatsServer server, String scheme) throws Exception {
    return NatsTransportConfig.builder()
        .servers(scheme + "://127.0.0.1:" + server.port())
        .connectTimeout(Duration.ofSeconds(3))
        .trustStore(certs.trustStore("trust", "ca"), "changeit");
  }

  static TransportException refused(NatsTransportConfig config) {
    TransportException e = catchThrowableOfType(TransportException.class,
        () -> NatsTransport.connect(config).close());
    assertThat(e).as("the connect should have been refused").isNotNull();
    assertThat(e.isRetriable()).as("retriable: %s", e.getMessage()).isFalse();
    return e;
  }

  @Test
  void aGoodClientCertificateIsAcceptedByAVerifyingServer() throws Exception {
    try (NatsTransport t = NatsTransport.connect(config(mutual, "tls")
        .keyStore(certs.keyStore("client"), "changeit").build())) {
      BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
      t.subscribe("mtls.hello", null, got::add);
      t.publish("mtls.hello", null, Headers.empty(), new byte[] {1});
      assertThat(got.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void clientCertificatesThatTheServerMustRefuseAreRefusedNamingTheCause() throws Exception {
    TransportException none = refused(config(mutual, "tls").build());
    assertThat(none.getMessage()).contains("TLS").contains("client certificate")
        .contains("agentbus.nats.tls.keystore");
    TransportException expired = refused(config(mutual, "tls")
        .keyStore(certs.keyStore("expired-client"), "changeit").build());
    assertThat(expired.getMessage()).contains("TLS").containsIgnoringCase("expired");
    TransportException foreign = refused(config(mutual, "tls")
        .keyStore(certs.keyStore("foreign-client"), "changeit").build());
    assertThat(foreign.getMessage()).contains("TLS").contains("refused this client's certificate")
        .contains("not signed by a CA the server trusts");
    SecurityFigures.print("mtls-bad-client-certificates", 3, 3, 0);
  }

  @Test
  void aServerCertificateForAnotherHostIsRefusedUnlessTheTestOptOutIsSet() throws Exception {
    TransportException e = refused(config(wrongHost, "tls").build());
    assertThat(e.getMessage()).contains("does not name the host")
        .contains("agentbus.nats.tls.insecure-skip-hostname-check-for-tests");
    // the same server, CA and certificate pass once the host name is not checked: the host name
    // was the reason
    try (NatsTransport t = NatsTransport.connect(config(wrongHost, "tls")
        .insecureSkipHostnameCheckForTests(true).build())) {
      assertThat(t.isConnected()).isTrue();
    }
    SecurityFigures.print("tls-wrong-host", 1, 1, 0);
  }

  @Test
  void aServerCertificateFromAnUntrustedAuthorityIsRefused() throws Exception {
    TransportException e = refused(NatsTransportConfig.builder()
        .servers("tls://127.0.0.1:" + wrongHost.port()).connectTimeout(Duration.ofSeconds(3))
        .trustStore(certs.trustStore("other-trust", "other-ca"), "changeit").build());
    assertThat(e.getMessage()).contains("not signed by a CA this client trusts")
        .contains("PKIX").contains("agentbus.nats.tls.truststore");
    SecurityFigures.print("tls-untrusted-server", 1, 1, 0);
  }

  @Test
  void aPlainConnectionToATlsServerIsToldToUseTls() throws Exception {
    TransportException e = refused(NatsTransportConfig.builder()
        .servers("nats://127.0.0.1:" + wrongHost.port()).connectTimeout(Duration.ofSeconds(3))
        .build());
    assertThat(e.getMessage()).contains("requires TLS").contains("tls://");
  }
}
