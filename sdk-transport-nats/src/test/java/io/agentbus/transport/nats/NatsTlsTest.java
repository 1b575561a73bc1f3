package io.agentbus.transport.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.TransportException;
import io.agentbus.spi.TransportMessage;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.test.nats.NatsServerSpec;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A server that requires TLS, with the test certificate in {@code src/test/resources/tls}. */
class NatsTlsTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  static NatsServer server;

  @BeforeAll
  static void startTlsServer() throws Exception {
    server = nats.startServer(NatsServerSpec.builder().jetStream(false)
        .tls(resource("server-cert.pem"), resource("server-key.pem")).build());
  }

  static Path resource(String name) throws Exception {
    return Path.of(NatsTlsTest.class.getResource("/tls/" + name).toURI());
  }

  @Test
  void connectsWithATrustStoreFromTheEnvironment() throws Exception {
    NatsTransportConfig config = NatsTransportConfig.fromEnvironment(Map.of(
        "AGENTBUS_NATS_URL", server.url(),
        "AGENTBUS_NATS_TLS_TRUSTSTORE", resource("truststore.p12").toString(),
        "AGENTBUS_NATS_TLS_TRUSTSTORE_PASSWORD", "changeit"), new Properties());
    assertThat(config.tls()).isTrue();
    NatsTransport t = NatsTransport.connect(config);
    try {
      BlockingQueue<TransportMessage> got = new LinkedBlockingQueue<>();
      t.subscribe("secure.hello", null, got::add);
      t.publish("secure.hello", null, Headers.empty(), new byte[] {7});
      TransportMessage m = got.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(m).isNotNull();
      assertThat(m.payload()).containsExactly(7);
    } finally {
      t.close();
    }
  }

  @Test
  void connectsWithAGivenSslContext() throws Exception {
    KeyStore trusted = KeyStore.getInstance(resource("truststore.p12").toFile(),
        "changeit".toCharArray());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    NatsTransportConfig config = NatsTransportConfig.builder().servers(server.url())
        .sslContext(context).build();
    assertThat(config.tls()).isTrue();
    NatsTransport t = NatsTransport.connect(config);
    try {
      assertThat(t.isConnected()).isTrue();
    } finally {
      t.close();
    }
    assertThatThrownBy(() -> NatsTransportConfig.builder().sslContext(context)
        .trustStore(resource("truststore.p12"), "changeit").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.tls.truststore");
  }

  @Test
  void aServerCertificateNobodyTrustsIsRefusedClearly() throws Exception {
    NatsTransportConfig config = NatsTransportConfig.builder().servers(server.url())
        .trustStore(resource("wrong-truststore.p12"), "changeit")
        .connectTimeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(() -> NatsTransport.connect(config))
        .isInstanceOf(TransportException.class)
        .hasMessageContaining("The TLS handshake with NATS at " + server.url() + " failed")
        .hasMessageContaining("not signed by a CA this client trusts (PKIX path building "
            + "failed)")
        .hasMessageContaining("agentbus.nats.tls.truststore")
        .matches(e -> !((TransportException) e).isRetriable(), "not retriable");
  }

  @Test
  void aWrongTrustStorePasswordNamesTheKey() throws Exception {
    assertThatThrownBy(() -> NatsTransportConfig.builder().servers(server.url())
        .trustStore(resource("truststore.p12"), "not-the-password").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.tls.truststore")
        .hasMessageNotContaining("not-the-password");
  }
}
