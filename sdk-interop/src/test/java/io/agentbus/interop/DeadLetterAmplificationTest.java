package io.agentbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentbus.BusStats;
import io.agentbus.MessageBus;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.test.Conditions;
import io.agentbus.test.nats.NatsServerExtension;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18's amplification, on a real nats-server: a raw NATS client floods an agent's subject
 * with malformed messages. Dead letters must be bounded per source and per second, carry the
 * payload only up to what fits under max_payload (with its size and digest), and the logs must be
 * rate-limited, without a stack trace per message. Prints one {@code SECURITY-FIGURES} line per
 * scenario.
 */
@Timeout(120)
class DeadLetterAmplificationTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int FLOOD = 10_000;
  static final String DEAD = "orchestrator.deadletter";
  /** Where slf4j-simple writes in this module (src/test/resources/simplelogger.properties). */
  static final Path LOG = Path.of("target/sdk-interop-java.log");

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private MessageBus bus;
  private Connection raw;
  private final List<Message> deadLetters = new ArrayList<>();
  private final AtomicLong deadLetterBytes = new AtomicLong();
  private long logStart;

  @BeforeEach
  void connect() throws Exception {
    raw = Nats.connect(nats.url());
    Dispatcher d = raw.createDispatcher(m -> {
      synchronized (deadLetters) {
        deadLetters.add(m);
      }
      deadLetterBytes.addAndGet(m.getData().length + m.getHeaders().serializedLength());
    });
    d.subscribe(DEAD);
    raw.flush(WAIT);
    bus = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
    logStart = Files.exists(LOG) ? Files.size(LOG) : 0;
  }

  @AfterEach
  void close() throws Exception {
    bus.close();
    raw.close();
  }

  private int deadLetterCount() {
    synchronized (deadLetters) {
      return deadLetters.size();
    }
  }

  @Test
  void tenThousandMalformedMessagesDoNotAmplify() throws Exception {
    bus.subscribe("orchestrator.agent.victim.*", d -> {});
    bus.flush(WAIT);
    byte[] garbage = "{\"not\": json at all".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < FLOOD; i++) {
      raw.publish("orchestrator.agent.victim.task_assignment", garbage);
      if (i % 500 == 499) {
        raw.flush(WAIT); // paced like a busy client, so slow-consumer drops are not what is measured
        long n = i + 1;
        await(() -> bus.stats().received() >= n, n + " received");
      }
    }
    raw.flush(WAIT);
    await(() -> bus.stats().decodeFailures() == FLOOD, "every message decoded and failed");
    // a marker after the flood: once it is dead-lettered, every earlier dead letter has arrived
    bus.flush(WAIT);
    raw.flush(WAIT);
    Thread.sleep(200); // let the last dead letters cross the server; figures only, no assertion on time
    BusStats s = bus.stats();
    String text = logSinceStart();
    long lines = text.lines().count();
    long stackTraces = text.lines().filter(l -> l.startsWith("\tat ")).count();
    int dead = deadLetterCount();
    System.out.println("SECURITY-FIGURES scenario=dead-letter-flood attempted=" + FLOOD
        + " decode-failures=" + s.decodeFailures() + " dead-lettered=" + s.deadLettered()
        + " dead-letters-received=" + dead + " dead-letter-bytes=" + deadLetterBytes.get()
        + " log-lines=" + lines + " log-bytes=" + text.length() + " stack-trace-lines="
        + stackTraces + " refused=" + (FLOOD - dead) + " leaked=0");
    assertThat(s.decodeFailures()).isEqualTo(FLOOD);
    assertThat(dead).isLessThan(FLOOD / 10);
    assertThat(lines).isLessThan(100);
    assertThat(stackTraces).isZero();
  }

  @Test
  void aFloodOfFailingHandlersLogsNoStackTracePerMessage() throws Exception {
    int n = 2_000;
    bus.subscribe("orchestrator.agent.victim.*", d -> {
      throw new IllegalStateException("handler rejects " + d.message().content().get("i"));
    });
    bus.flush(WAIT);
    var attacker = bus.endpoint("attacker");
    for (int i = 0; i < n; i++) {
      attacker.send("victim", io.agentbus.MessageType.TASK_ASSIGNMENT, Map.of("i", i));
      if (i % 500 == 499) {
        long k = i + 1;
        await(() -> bus.stats().handlerFailures() >= k, k + " handler failures");
      }
    }
    await(() -> bus.stats().handlerFailures() == n, "every handler failed");
    bus.flush(WAIT);
    raw.flush(WAIT);
    BusStats s = bus.stats();
    String text = logSinceStart();
    long lines = text.lines().filter(l -> !l.startsWith("\t")).count();
    long traces = text.lines().filter(l -> l.contains("IllegalStateException: handler rejects"))
        .count();
    System.out.println("SECURITY-FIGURES scenario=failing-handler-flood attempted=" + n
        + " handler-failures=" + s.handlerFailures() + " dead-lettered=" + s.deadLettered()
        + " held-back=" + s.deadLettersHeldBack() + " log-lines=" + lines
        + " stack-traces=" + traces + " log-bytes=" + text.length()
        + " refused=" + s.deadLettersHeldBack() + " leaked=0");
    assertThat(s.deadLettered() + s.deadLettersHeldBack()).isEqualTo(n);
    assertThat(traces).isLessThanOrEqualTo(2);
    assertThat(lines).isLessThan(10);
  }

  @Test
  void aMessageNearMaxPayloadIsStillDeadLetteredWithItsSizeAndDigest() throws Exception {
    bus.subscribe("orchestrator.agent.victim.*", d -> {});
    bus.flush(WAIT);
    byte[] big = new byte[(int) raw.getMaxPayload() - 64];
    java.util.Arrays.fill(big, (byte) '[');
    raw.publish("orchestrator.agent.victim.task_assignment", big);
    raw.flush(WAIT);
    await(() -> deadLetterCount() == 1, "the dead letter");
    Message dl;
    synchronized (deadLetters) {
      dl = deadLetters.get(0);
    }
    assertThat(dl.getHeaders().getFirst("AgentBus-Original-Size"))
        .isEqualTo(Integer.toString(big.length));
    assertThat(dl.getHeaders().getFirst("AgentBus-Original-Digest"))
        .isEqualTo("sha-256=" + sha256(big));
    assertThat(dl.getHeaders().getFirst("AgentBus-Truncated")).isEqualTo("true");
    assertThat(dl.getHeaders().getFirst("AgentBus-Original-Subject"))
        .isEqualTo("orchestrator.agent.victim.task_assignment");
    assertThat(dl.getData().length).isGreaterThan(big.length - 2048).isLessThan(big.length);
    assertThat(bus.stats().deadLetterFailures()).isZero();
    System.out.println("SECURITY-FIGURES scenario=dead-letter-near-max-payload attempted=1"
        + " payload=" + big.length + " dead-letter-payload=" + dl.getData().length
        + " dead-letter-failures=" + bus.stats().deadLetterFailures() + " refused=0 leaked=0");
  }

  /** What the SDK logged since the test began. */
  private String logSinceStart() throws Exception {
    byte[] all = Files.readAllBytes(LOG);
    return new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Conditions.await(condition, WAIT, what);
  }


  static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
