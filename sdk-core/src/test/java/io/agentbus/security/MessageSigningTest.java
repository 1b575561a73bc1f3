package io.agentbus.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.ConfigurationException;
import io.agentbus.Headers;
import io.agentbus.MessageType;
import io.agentbus.spi.ReceivedMessage;
import io.agentbus.time.Scheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay window, nonces, modes and key handling of {@link MessageSigning}. */
class MessageSigningTest {
  private static final String SEED = SigningVectorsTest.seed(0);
  private static final String SUBJECT = "orchestrator.broadcast.heartbeat";
  private static final TrustedKeys TRUSTED =
      TrustedKeys.of(Map.of("parser-dev-001", NKeys.fromSeed(SEED).publicNKey()));
  private final AtomicLong now = new AtomicLong(1_733_409_130_004L);
  private final Scheduler clock = new Scheduler() {
    @Override
    public Instant now() {
      return Instant.ofEpochMilli(now.get());
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable t) {
      throw new UnsupportedOperationException();
    }
  };
  private final AgentMessage heartbeat = AgentMessage.builder().fromAgent("parser-dev-001")
      .messageType(MessageType.HEARTBEAT).content(Map.of("status", "alive"))
      .timestamp(Instant.ofEpochMilli(now.get())).build();
  private final byte[] payload = "{\"heartbeat\":1}".getBytes(StandardCharsets.UTF_8);

  private MessageSigning signing(SigningMode mode) {
    return MessageSigning.builder().mode(mode).seed(SEED).trustedKeys(TRUSTED).clock(clock)
        .replayWindow(Duration.ofMinutes(2)).build();
  }

  private static ReceivedMessage received(Headers h, byte[] payload, String receiver) {
    return new ReceivedMessage(SUBJECT, null, h, payload, null, receiver);
  }

  @Test
  void aMessageOutsideTheReplayWindowIsRefusedEitherWayAndInsideItOnce() {
    MessageSigning s = signing(SigningMode.REQUIRE);
    Headers h = s.beforePublish(SUBJECT, heartbeat, Headers.empty(), payload);

    now.addAndGet(Duration.ofMinutes(2).plusMillis(1).toMillis());
    assertThat(s.beforeDecode(received(h, payload, "sub-1"))).startsWith("replayed: signed at");
    now.addAndGet(-Duration.ofMinutes(4).plusMillis(2).toMillis()); // from the future
    assertThat(s.beforeDecode(received(h, payload, "sub-1"))).startsWith("replayed: signed at");

    now.addAndGet(Duration.ofMinutes(2).toMillis());
    assertThat(s.beforeDecode(received(h, payload, "sub-1"))).isNull();
    assertThat(s.beforeDecode(received(h, payload, "sub-1"))).startsWith("replayed: nonce");
    // another subscription of the same bus may receive the same message once
    assertThat(s.beforeDecode(received(h, payload, "sub-2"))).isNull();
    // from a stream: verified, but not a replay when it comes again
    assertThat(s.beforeDecode(received(h, payload, null))).isNull();
    assertThat(s.beforeDecode(received(h, payload, null))).isNull();
    assertThat(s.refusals()).containsEntry("replayed", 3L);
  }

  @Test
  void signModeAcceptsUnsignedAndUntrustedButNotAltered() {
    MessageSigning s = signing(SigningMode.SIGN);
    assertThat(s.beforeDecode(received(Headers.empty(), payload, "r"))).isNull();
    Headers h = s.beforePublish(SUBJECT, heartbeat, Headers.empty(), payload);
    byte[] altered = payload.clone();
    altered[0] = ' ';
    assertThat(s.beforeDecode(received(h, altered, "r"))).startsWith("altered:");
    Headers stranger = h.toBuilder().set(MessageSigning.SIGNER, "stranger").build();
    assertThat(s.beforeDecode(received(stranger, payload, "r"))).isNull();
    assertThat(signing(SigningMode.REQUIRE).beforeDecode(received(stranger, payload, "r")))
        .startsWith("untrusted:");
    assertThat(signing(SigningMode.OFF).beforePublish(SUBJECT, heartbeat, Headers.empty(),
        payload)).isEqualTo(Headers.empty());
  }

  @Test
  void badKeysAndFilesAreRefusedNamingWhatIsWrongButNeverTheSeed(@TempDir Path dir)
      throws Exception {
    assertThatThrownBy(() -> MessageSigning.builder().mode(SigningMode.REQUIRE).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("needs the agent's NKey");
    String typo = SEED.substring(0, 10) + (SEED.charAt(10) == 'A' ? 'B' : 'A')
        + SEED.substring(11);
    assertThatThrownBy(() -> NKeys.fromSeed(typo)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("checksum").message().doesNotContain(typo);
    assertThatThrownBy(() -> NKeys.fromSeed(NKeys.fromSeed(SEED).publicNKey()))
        .hasMessageContaining("Not an NKey user seed");
    Path file = dir.resolve("trusted");
    Files.writeString(file, "# keys\n\nparser-dev-001 = " + NKeys.fromSeed(SEED).publicNKey()
        + "\narchitect-001 = UNOTAKEY\n");
    assertThatThrownBy(() -> TrustedKeys.read(file)).isInstanceOf(ConfigurationException.class)
        .hasMessageContaining(file.toString()).hasMessageContaining("architect-001");
    Files.writeString(file, "");
    assertThat(TrustedKeys.read(file).asMap()).isEmpty();
    Files.writeString(file, "parser-dev-001\n");
    assertThatThrownBy(() -> TrustedKeys.read(file)).hasMessageContaining("Line 1");
  }
}
