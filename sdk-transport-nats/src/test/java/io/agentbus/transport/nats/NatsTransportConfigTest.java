package io.agentbus.transport.nats;

import io.agentbus.config.ConfigValues;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.ConfigurationException;
import io.agentbus.transport.nats.NatsTransportConfig.Key;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NatsTransportConfigTest {
  @TempDir Path dir;

  private static NatsTransportConfig from(Map<String, String> env, Map<String, String> props) {
    Properties p = new Properties();
    p.putAll(props);
    return NatsTransportConfig.fromEnvironment(env, p);
  }

  @Test
  void defaultsNoticeADeadConnectionInsideTheHeartbeatWindow() {
    NatsTransportConfig c = NatsTransportConfig.builder().build();
    assertThat(c.servers()).containsExactly("nats://localhost:4222");
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(c.maxPingsOut()).isEqualTo(2);
    assertThat(c.pingInterval().multipliedBy(c.maxPingsOut() + 1L))
        .isLessThan(Duration.ofSeconds(90));
    assertThat(c.reconnectWait()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.maxReconnects()).isEqualTo(-1);
    assertThat(c.reconnectBufferSize()).isEqualTo(8L << 20);
    assertThat(c.jetStreamApiTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.drainTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.auth()).isSameAs(NatsAuth.none());
    assertThat(c.tls()).isFalse();
    assertThat(c.connectionName()).startsWith("agentbus-")
        .endsWith("-" + ProcessHandle.current().pid());
  }

  @Test
  void everyKeyHasAPropertyAndAnEnvironmentVariable() {
    assertThat(Key.RECONNECT_WAIT.property()).isEqualTo("agentbus.nats.reconnect-wait");
    assertThat(Key.RECONNECT_WAIT.environmentVariable())
        .isEqualTo("AGENTBUS_NATS_RECONNECT_WAIT");
    assertThat(Key.TLS_TRUSTSTORE_PASSWORD.environmentVariable())
        .isEqualTo("AGENTBUS_NATS_TLS_TRUSTSTORE_PASSWORD");
    assertThat(Key.URL.property()).isEqualTo("agentbus.nats.url");
  }

  @Test
  void theReadmeDocumentsEveryKey() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    for (Key k : Key.values()) {
      assertThat(readme).as("README.md documents %s", k).contains("`" + k.property() + "`")
          .contains("`" + k.environmentVariable() + "`");
    }
  }

  @Test
  void readsEveryKeyFromTheEnvironment() throws IOException {
    Path creds = Files.writeString(dir.resolve("user.creds"), "creds");
    Map<String, String> env = new HashMap<>();
    env.put("AGENTBUS_NATS_URL", "nats://a:4222, b:4223");
    env.put("AGENTBUS_NATS_CONNECTION_NAME", "orchestrator-7");
    env.put("AGENTBUS_NATS_CREDS_FILE", creds.toString());
    env.put("AGENTBUS_NATS_CONNECT_TIMEOUT", "3s");
    env.put("AGENTBUS_NATS_RECONNECT_WAIT", "500ms");
    env.put("AGENTBUS_NATS_MAX_RECONNECTS", "10");
    env.put("AGENTBUS_NATS_RECONNECT_BUFFER_SIZE", "1MiB");
    env.put("AGENTBUS_NATS_PING_INTERVAL", "PT15S");
    env.put("AGENTBUS_NATS_MAX_PINGS_OUT", "3");
    env.put("AGENTBUS_NATS_JETSTREAM_API_TIMEOUT", "1m");
    env.put("AGENTBUS_NATS_DRAIN_TIMEOUT", "0s");
    env.put("AGENTBUS_NATS_OUTGOING_QUEUE_SIZE", "1000");
    env.put("AGENTBUS_NATS_PENDING_MESSAGES", "500");
    env.put("AGENTBUS_NATS_PENDING_BYTES", "64k");
    NatsTransportConfig c = from(env, Map.of());
    assertThat(c.servers()).containsExactly("nats://a:4222", "nats://b:4223");
    assertThat(c.connectionName()).isEqualTo("orchestrator-7");
    assertThat(c.auth()).isInstanceOfSatisfying(NatsAuth.CredentialsFile.class,
        a -> assertThat(a.file()).isEqualTo(creds));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(c.reconnectWait()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxReconnects()).isEqualTo(10);
    assertThat(c.reconnectBufferSize()).isEqualTo(1 << 20);
    assertThat(c.pingInterval()).isEqualTo(Duration.ofSeconds(15));
    assertThat(c.maxPingsOut()).isEqualTo(3);
    assertThat(c.jetStreamApiTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.drainTimeout()).isZero();
    assertThat(c.outgoingQueueSize()).isEqualTo(1000);
    assertThat(c.pendingMessages()).isEqualTo(500);
    assertThat(c.pendingBytes()).isEqualTo(64 * 1024);
  }

  @Test
  void natsUrlIsHonouredAndOurSettingsWin() {
    assertThat(from(Map.of("NATS_URL", "nats://tools:4222"), Map.of()).servers())
        .containsExactly("nats://tools:4222");
    assertThat(from(Map.of("NATS_URL", "nats://tools:4222", "AGENTBUS_NATS_URL", "nats://env:1"),
        Map.of()).servers()).containsExactly("nats://env:1");
    assertThat(from(Map.of("AGENTBUS_NATS_URL", "nats://env:1"),
        Map.of("agentbus.nats.url", "nats://prop:2")).servers())
        .containsExactly("nats://prop:2");
    assertThat(from(Map.of("AGENTBUS_NATS_URL", "  "), Map.of()).servers())
        .containsExactly("nats://localhost:4222");
  }

  @Test
  void userAndPasswordGoTogether() {
    NatsTransportConfig c = from(Map.of("AGENTBUS_NATS_USER", "alice",
        "AGENTBUS_NATS_PASSWORD", "s3cret"), Map.of());
    assertThat(c.auth()).isInstanceOfSatisfying(NatsAuth.UserPassword.class,
        a -> assertThat(a.user()).isEqualTo("alice"));
    assertThat(c.toString()).contains("alice").doesNotContain("s3cret");

    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_USER", "alice"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AGENTBUS_NATS_USER")
        .hasMessageContaining("agentbus.nats.password");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.password", "s3cret")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.user").hasMessageNotContaining("s3cret");
  }

  @Test
  void aTokenFileFromTheEnvironmentIsOneMethodAndNeverShowsTheToken(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("agent.token"), " s3cret-token \n");
    NatsTransportConfig c = from(Map.of("AGENTBUS_NATS_TOKEN_FILE", file.toString()), Map.of());
    assertThat(c.auth()).isInstanceOfSatisfying(NatsAuth.TokenFile.class,
        a -> assertThat(a.file()).isEqualTo(file));
    assertThat(c.toString()).doesNotContain("s3cret-token");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_TOKEN_FILE", file.toString(),
        "AGENTBUS_NATS_TOKEN", "t"), Map.of())).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.token-file");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_TOKEN_FILE",
        dir.resolve("missing").toString()), Map.of())).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("cannot read").hasMessageContaining("missing");
  }

  @Test
  void onlyOneAuthenticationMethod() {
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_TOKEN", "t",
        "AGENTBUS_NATS_USER", "u", "AGENTBUS_NATS_PASSWORD", "p"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.token")
        .hasMessageContaining("agentbus.nats.user");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_RECONNECT_WAIT", "soon"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AGENTBUS_NATS_RECONNECT_WAIT")
        .hasMessageContaining("'soon'").hasMessageContaining("2s");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.ping-interval", "20")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.ping-interval");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.max-reconnects", "many")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.max-reconnects");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.max-reconnects", "-2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.max-reconnects");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_PENDING_BYTES", "0"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AGENTBUS_NATS_PENDING_BYTES");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.reconnect-buffer-size",
        "8 lots"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.reconnect-buffer-size");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.tls", "yes please")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("agentbus.nats.tls");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.jetstream-api-timeout", "0s")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.jetstream-api-timeout")
        .hasMessageContaining("system properties");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_MAX_PINGS_OUT", "0"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.max-pings-out").hasMessageContaining("was 0")
        .hasMessageContaining("environment variable AGENTBUS_NATS_MAX_PINGS_OUT");
  }

  @Test
  void badServerUrlsNameTheKeyAndHideCredentials() {
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.url", "http://x:4222")))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("agentbus.nats.url")
        .hasMessageContaining("'http'");
    // one list grammar (ConfigValues.list): empty entries are dropped, a bad one names its source
    assertThat(from(Map.of("NATS_URL", "nats://a:4222,,nats://b"), Map.of()).servers())
        .containsExactly("nats://a:4222", "nats://b");
    assertThatThrownBy(() -> from(Map.of("NATS_URL", "nats://a:4222,ftp://b"), Map.of()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("NATS_URL")
        .hasMessageContaining("'ftp'");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.url",
        "nats://bob:pw@host:99999"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("port").hasMessageNotContaining("pw");
    NatsTransportConfig c = from(Map.of("NATS_URL", "nats://bob:pw@host:4222"), Map.of());
    assertThat(c.toString()).contains("//***@host:4222").doesNotContain("pw");
  }

  @Test
  void misspeltKeysAreRejected() {
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.pasword", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.pasword")
        .hasMessageContaining("agentbus.nats.password")
        .hasMessageContaining("agentbus.nats.jetstream-api-timeout");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_RECONECT_WAIT", "1s"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AGENTBUS_NATS_RECONECT_WAIT");
  }

  @Test
  void nkeySeedsAreCheckedAndNeverShown() {
    NatsTransportConfig c = NatsTransportConfig.builder().nkeySeed(TestKeys.USER_SEED).build();
    assertThat(c.auth()).isInstanceOf(NatsAuth.NKeySeed.class);
    assertThat(c.toString()).doesNotContain(TestKeys.USER_SEED);
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_NKEY_SEED", "SUNOTASEED"), Map.of()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("AGENTBUS_NATS_NKEY_SEED").hasMessageNotContaining("SUNOTASEED");
  }

  @Test
  void filesMustBeReadable() {
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_CREDS_FILE", "/no/such.creds"),
        Map.of())).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.creds-file").hasMessageContaining("/no/such.creds");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.tls.truststore",
        "/no/trust.p12"))).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.tls.truststore");
    assertThatThrownBy(() -> from(Map.of(), Map.of("agentbus.nats.tls.keystore-password", "x")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.tls.keystore");
  }

  @Test
  void aStoreThatIsNotAKeyStoreFailsNamingTheKey() throws IOException {
    Path junk = Files.writeString(dir.resolve("junk.p12"), "not a keystore");
    assertThatThrownBy(() -> from(Map.of("AGENTBUS_NATS_TLS_TRUSTSTORE", junk.toString()),
        Map.of())).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("agentbus.nats.tls.truststore");
  }

  @Test
  void tlsIsImpliedByATlsUrl() {
    assertThat(NatsTransportConfig.builder().servers("tls://secure:4222").build().tls()).isTrue();
    assertThat(NatsTransportConfig.builder().tls(true).build().tls()).isTrue();
  }

  @Test
  void toBuilderKeepsEverything() {
    NatsTransportConfig c = NatsTransportConfig.builder().servers(List.of("h:1", "nats://i:2"))
        .token("s3cr3t-t0ken").reconnectWait(Duration.ZERO).pendingMessages(7).build();
    NatsTransportConfig copy = c.toBuilder().build();
    assertThat(copy.toString()).isEqualTo(c.toString());
    assertThat(copy.servers()).containsExactly("nats://h:1", "nats://i:2");
    assertThat(copy.auth()).isSameAs(c.auth());
    assertThat(c.toString()).doesNotContain("s3cr3t");
    // the copy is the builder's own: changing it leaves the config as it was
    NatsTransportConfig changed = c.toBuilder().pendingMessages(9).servers("z:3").build();
    assertThat(changed.pendingMessages()).isEqualTo(9);
    assertThat(c.pendingMessages()).isEqualTo(7);
    assertThat(c.servers()).containsExactly("nats://h:1", "nats://i:2");
  }

  @Test
  void durationsAndSizesParse() {
    assertThat(ConfigValues.duration("k", "250us")).isEqualTo(Duration.ofNanos(250_000));
    assertThat(ConfigValues.duration("k", " 2h ")).isEqualTo(Duration.ofHours(2));
    assertThat(ConfigValues.duration("k", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(ConfigValues.duration("k", "pt0.5s")).isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigValues.size("k", "512")).isEqualTo(512);
    assertThat(ConfigValues.size("k", "8MB")).isEqualTo(8L << 20);
    assertThat(ConfigValues.size("k", "1g")).isEqualTo(1L << 30);
    assertThatThrownBy(() -> ConfigValues.size("k", "99999999999999999999"))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("k");
  }
}
