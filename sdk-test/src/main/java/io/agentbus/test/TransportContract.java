package io.agentbus.test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.agentbus.Headers;
import io.agentbus.InvalidSubjectException;
import io.agentbus.NoRespondersException;
import io.agentbus.PayloadTooLargeException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.TransportException;
import io.agentbus.spi.Transport;
import io.agentbus.spi.TransportHandler;
import io.agentbus.spi.TransportMessage;
import io.agentbus.spi.TransportSubscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The semantics every {@link Transport} must have: what the in-memory transport promises to unit
 * tests and what NATS delivers in production. A transport module's test extends this class and
 * implements {@link #newTransport()}:
 *
 * <pre>{@code
 * class InMemoryTransportContractTest extends TransportContract {
 *   private final InMemoryServer server = InMemoryServer.create();
 *   protected Transport newTransport() { return server.connect(); }
 * }
 * }</pre>
 *
 * <p>{@link #newTransport()} is called several times in one test: each call is a separate
 * connection to the same bus (NATS: the same server), so publishers and subscribers can be on
 * different connections as they are between agents. The suite closes every transport it made
 * after each test. Every subject of a test starts with a fresh random token, so tests never see
 * each other's messages even on a shared server.
 *
 * <p>Waits are guarded by generous timeouts ({@value #WAIT_SECONDS} s) that only fire when
 * something is broken; nothing sleeps. To show that a message did <em>not</em> arrive, a test
 * publishes a marker after it from the same publisher and waits for the marker: since a
 * subscription sees one publisher's messages in order, anything that was going to arrive would
 * have arrived first.
 *
 * <p>Where the in-memory transport and NATS could differ, this suite decides, and says why at the
 * test. After subscribing, tests call {@link Transport#flush} on the subscriber before publishing
 * from another transport: on NATS a subscription is live at the server only once the server has
 * seen it (in memory the flush is a no-op).
 *
 * <p>This file is longer than the project's 600-line rule on purpose: a compatibility kit is one
 * class to extend per implementation (as Micrometer's {@code MeterRegistryCompatibilityKit} is),
 * and every test in it is a promise that a user can read next to the others.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportContract {
  /** Failure guard for every wait: long enough to never fire on a slow, busy machine. */
  protected static final long WAIT_SECONDS = 10;
  protected static final Duration WAIT = Duration.ofSeconds(WAIT_SECONDS);

  private final List<Transport> transports = new CopyOnWriteArrayList<>();
  private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();
  private String prefix = "";

  /**
   * A new transport connected to the same bus as every other transport this test class makes.
   * Called several times per test; the suite closes them after each test.
   */
  protected abstract Transport newTransport();

  @BeforeEach
  void contractSetUp() {
    prefix = "tc" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  @AfterEach
  void contractTearDown() {
    gates.forEach(g -> {
      while (g.getCount() > 0) {
        g.countDown();
      }
    });
    List<Transport> all = new ArrayList<>(transports);
    Collections.reverse(all);
    for (Transport t : all) {
      try {
        t.close();
      } catch (RuntimeException e) {
        // keep closing the others; a close that throws is caught by closeIsIdempotent
      }
    }
    transports.clear();
  }

  // ================================================================= helpers for subclasses

  /** A new transport, closed after the test. */
  protected final Transport transport() {
    Transport t = newTransport();
    transports.add(t);
    return t;
  }

  /** {@code <test prefix>.<relative>}: a subject no other test uses. */
  protected final String subject(String relative) {
    return prefix + "." + relative;
  }

  /** A latch released at the latest when the test ends, so a blocked handler never leaks. */
  protected final CountDownLatch gate() {
    CountDownLatch g = new CountDownLatch(1);
    gates.add(g);
    return g;
  }

  protected static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }

  protected static String text(TransportMessage m) {
    return new String(m.payload(), UTF_8);
  }

  protected static void publish(Transport t, String subject, String payload) {
    t.publish(subject, null, Headers.empty(), bytes(payload));
  }

  /** Makes a subscription (or publish) of {@code t} known to the server. */
  protected static void sync(Transport t) {
    t.flush(WAIT);
  }

  protected static void await(CountDownLatch latch, String what) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        fail("Timed out after " + WAIT_SECONDS + " s waiting for " + what + " ("
            + latch.getCount() + " still missing)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  protected static <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("Timed out after " + WAIT_SECONDS + " s waiting for " + what, e);
    } catch (ExecutionException e) {
      throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** The exception {@code future} fails with, within the guard time. */
  protected static Throwable failureOf(CompletableFuture<?> future, String what) {
    try {
      Object value = future.get(WAIT_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError(what + " should have failed but completed with " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("Timed out after " + WAIT_SECONDS + " s waiting for " + what
          + " to fail", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /** A handler that records what it receives, in order, for a test thread to take. */
  protected static final class Recorder implements TransportHandler {
    private final BlockingQueue<TransportMessage> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();

    @Override
    public void onMessage(TransportMessage message) {
      count.incrementAndGet();
      queue.add(message);
    }

    /** The next message, failing the test if none comes within the guard time. */
    public TransportMessage take() {
      try {
        TransportMessage m = queue.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (m == null) {
          fail("No message arrived within " + WAIT_SECONDS + " s");
        }
        return m;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    /** The payloads of the next {@code n} messages. */
    public List<String> takeTexts(int n) {
      List<String> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(text(take()));
      }
      return out;
    }

    /** Payloads received before the message whose payload is {@code marker} (which is consumed). */
    public List<String> textsBefore(String marker) {
      List<String> out = new ArrayList<>();
      while (true) {
        String t = text(take());
        if (t.equals(marker)) {
          return out;
        }
        out.add(t);
      }
    }

    /** Messages handled so far, taken or not. */
    public int count() {
      return count.get();
    }
  }

  // ================================================================= subjects and wildcards

  static Stream<Arguments> matchingTable() {
    return Stream.of(
        // pattern, subject, matches
        Arguments.of("a", "a", true),
        Arguments.of("a", "b", false),
        Arguments.of("a", "a.b", false),
        Arguments.of("a.b", "a", false),
        Arguments.of("a.b", "a.bc", false),
        Arguments.of("a.bc", "a.b", false),
        Arguments.of("a", "A", false),
        Arguments.of("a.*", "a.b", true),
        Arguments.of("a.*", "a", false),
        Arguments.of("a.*", "a.b.c", false),
        Arguments.of("a.*.c", "a.b.c", true),
        Arguments.of("a.*.c", "a.b.d", false),
        Arguments.of("a.*.c", "a.c", false),
        Arguments.of("*.b", "a.b", true),
        Arguments.of("*.b", "a.c", false),
        Arguments.of("*.*", "a.b", true),
        Arguments.of("*.*", "a", false),
        Arguments.of("*.*", "a.b.c", false),
        Arguments.of("a.>", "a.b", true),
        Arguments.of("a.>", "a.b.c.d", true),
        Arguments.of("a.>", "a", false),
        Arguments.of("a.>", "b.a", false),
        Arguments.of(">", "a", true),
        Arguments.of(">", "a.b.c", true),
        Arguments.of("*.>", "a.b", true),
        Arguments.of("*.>", "a", false),
        Arguments.of("a.*.>", "a.b.c", true),
        Arguments.of("a.*.>", "a.b", false),
        Arguments.of("a.b.c", "a.b.c", true),
        Arguments.of("broadcast.*", "broadcast.status_update", true),
        Arguments.of("agent.architect-001.*", "agent.architect-001.resource_request", true),
        Arguments.of("agent.architect-001.*", "agent.architect-002.resource_request", false),
        // NATS subjects are UTF-8; tokens other than ASCII are ordinary literals
        Arguments.of("équipe.*", "équipe.données", true),
        Arguments.of("équipe.*", "equipe.données", false));
  }

  /**
   * Each row: subscribe {@code pattern}, publish to {@code subject} then a marker that surely
   * matches the pattern (its wildcards filled in), and see whether the subject's message came
   * before the marker. The test prefix is put in front of both, so {@code >} means "anything
   * under this test".
   */
  @ParameterizedTest(name = "[{index}] ''{0}'' matches ''{1}'': {2}")
  @MethodSource("matchingTable")
  void wildcardMatching(String pattern, String subject, boolean matches) {
    Transport sub = transport();
    Transport pub = transport();
    Recorder r = new Recorder();
    sub.subscribe(subject(pattern), null, r);
    sync(sub);

    String marker = pattern.replace("*", "mk").replace(">", "mk");
    publish(pub, subject(subject), "probe");
    publish(pub, subject(marker), "marker");

    List<String> before = r.textsBefore("marker");
    assertThat(before)
        .as("'%s' %s '%s'", pattern, matches ? "should match" : "should not match", subject)
        .isEqualTo(matches ? List.of("probe") : List.of());
  }

  @Test
  void everyMatchingSubscriptionGetsItsOwnCopy() {
    Transport sub = transport();
    Transport pub = transport();
    Recorder exact = new Recorder();
    Recorder exactAgain = new Recorder();
    Recorder star = new Recorder();
    Recorder tail = new Recorder();
    Recorder other = new Recorder();
    sub.subscribe(subject("a.b"), null, exact);
    sub.subscribe(subject("a.b"), null, exactAgain);
    sub.subscribe(subject("a.*"), null, star);
    sub.subscribe(subject(">"), null, tail);
    sub.subscribe(subject("x.*"), null, other);
    sync(sub);

    publish(pub, subject("a.b"), "one");
    publish(pub, subject("x.end"), "end");

    for (Recorder r : List.of(exact, exactAgain, star)) {
      assertThat(text(r.take())).isEqualTo("one");
    }
    assertThat(tail.takeTexts(2)).containsExactly("one", "end");
    assertThat(other.textsBefore("end")).as("x.* must not see a.b").isEmpty();
  }

  /**
   * NATS echoes a connection's own publishes to its own subscriptions unless the connection opts
   * out; agents sharing one bus in a process rely on it, so every transport keeps it.
   */
  @Test
  void ownPublishesReachOwnSubscriptions() {
    Transport t = transport();
    Recorder r = new Recorder();
    t.subscribe(subject("echo"), null, r);
    sync(t);
    publish(t, subject("echo"), "hello me");
    assertThat(text(r.take())).isEqualTo("hello me");
  }

  /** {@code {p}} stands for the test's prefix, so that only the flaw under test is present. */
  @ParameterizedTest(name = "[{index}] publish to ''{0}''")
  @ValueSource(strings = {"", "{p}.", ".{p}", "{p}..b", "{p}.a b", "{p}.a\tb", "{p}.a\nb",
      "{p}.a.*", "{p}.>", "*", ">", "{p}.b*", "{p}.>b", "{p}.a\u0000b"})
  void invalidPublishSubjectsAreRejected(String bad) {
    Transport t = transport();
    String subject = bad.replace("{p}", prefix);
    assertThatThrownBy(() -> publish(t, subject, "x"))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining(subject.isEmpty() ? "empty" : "'" + subject + "'");
    assertThatThrownBy(() -> t.request(subject, Headers.empty(), bytes("x"), WAIT))
        .isInstanceOf(InvalidSubjectException.class);
  }

  /**
   * A wildcard inside a token ({@code a.b*}) or whitespace is rejected on both sides. The NATS
   * server would take {@code b*} as a literal token; the suite rejects it because AgentBus ids
   * never contain one and a literal that looks like a wildcard is always a bug.
   */
  @ParameterizedTest(name = "[{index}] subscribe to ''{0}''")
  @ValueSource(strings = {"", "a..b", "a.", "a b", "a.>.b", ">.a", "a.b*", "a.*b", "a.>b"})
  void invalidPatternsAreRejected(String bad) {
    Transport t = transport();
    String pattern = bad.isEmpty() ? "" : subject(bad);
    assertThatThrownBy(() -> t.subscribe(pattern, null, new Recorder()))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining(bad.isEmpty() ? "empty" : "'" + pattern + "'");
  }

  @ParameterizedTest(name = "[{index}] queue group ''{0}''")
  @ValueSource(strings = {"", "work ers", "workers\t", "work*"})
  void invalidQueueGroupsAreRejected(String bad) {
    Transport t = transport();
    assertThatThrownBy(() -> t.subscribe(subject("q"), bad, new Recorder()))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("queue group");
  }

  @Test
  void invalidReplySubjectIsRejected() {
    Transport t = transport();
    assertThatThrownBy(() -> t.publish(subject("a"), "reply to", Headers.empty(), bytes("x")))
        .isInstanceOf(InvalidSubjectException.class)
        .hasMessageContaining("reply to");
  }

  /** A rejected publish sends nothing: a catch-all subscription sees only the later marker. */
  @Test
  void rejectedPublishesSendNothing() {
    Transport sub = transport();
    Transport pub = transport();
    Recorder all = new Recorder();
    sub.subscribe(subject(">"), null, all);
    sync(sub);

    for (String bad : List.of("a.*", "a.>", "a b", "a..b", "a.b*")) {
      assertThatThrownBy(() -> publish(pub, subject(bad), "bad"))
          .isInstanceOf(InvalidSubjectException.class);
    }
    long max = pub.maxPayload();
    assertThatThrownBy(() -> pub.publish(subject("big"), null, Headers.empty(),
        new byte[Math.toIntExact(max + 1)])).isInstanceOf(PayloadTooLargeException.class);
    publish(pub, subject("ok"), "marker");

    assertThat(all.textsBefore("marker")).isEmpty();
  }

  // ================================================================= payload and headers

  @Test
  void payloadAtMaxPayloadIsAcceptedAndOneByteMoreIsRejected() {
    Transport sub = transport();
    Transport pub = transport();
    Recorder r = new Recorder();
    sub.subscribe(subject("big"), null, r);
    sync(sub);

    int max = Math.toIntExact(pub.maxPayload());
    byte[] exact = new byte[max];
    Arrays.fill(exact, (byte) 'x');
    exact[max - 1] = 'z';
    pub.publish(subject("big"), null, Headers.empty(), exact);
    TransportMessage got = r.take();
    assertThat(got.payload()).hasSize(max);
    assertThat(got.payload()[max - 1]).isEqualTo((byte) 'z');

    byte[] over = new byte[max + 1];
    assertThatThrownBy(() -> pub.publish(subject("big"), null, Headers.empty(), over))
        .isInstanceOfSatisfying(PayloadTooLargeException.class, e -> {
          assertThat(e.size()).isEqualTo(max + 1L);
          assertThat(e.maxPayload()).isEqualTo(max);
        })
        .hasMessageContaining(subject("big"));
    assertThatThrownBy(() -> pub.request(subject("big"), Headers.empty(), over, WAIT))
        .isInstanceOf(PayloadTooLargeException.class);
  }

  @Test
  void payloadBytesAndHeadersRoundTrip() {
    Transport sub = transport();
    Transport pub = transport();
    Recorder r = new Recorder();
    sub.subscribe(subject("h"), null, r);
    sync(sub);

    byte[] binary = new byte[256];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) i;
    }
    Headers headers = Headers.builder()
        .add(Headers.CONTENT_TYPE, "application/json")
        .add("X-Multi", "first")
        .add("X-Multi", "second")
        .add("X-Multi", "third")
        .add("X-Unicode", "ünïcødé ✓")
        .build();
    pub.publish(subject("h"), subject("reply.here"), headers, binary);
    pub.publish(subject("h"), null, Headers.empty(), new byte[0]);

    TransportMessage m = r.take();
    assertThat(m.subject()).isEqualTo(subject("h"));
    assertThat(m.replyTo()).isEqualTo(subject("reply.here"));
    assertThat(m.payload()).isEqualTo(binary);
    assertThat(m.headers().all("X-Multi")).containsExactly("first", "second", "third");
    assertThat(m.headers().first(Headers.CONTENT_TYPE)).isEqualTo("application/json");
    assertThat(m.headers().first("X-Unicode")).isEqualTo("ünïcødé ✓");

    TransportMessage empty = r.take();
    assertThat(empty.payload()).isEmpty();
    assertThat(empty.replyTo()).isNull();
    assertThat(empty.headers().all("X-Multi")).isEmpty();
  }

  // ================================================================= queue groups

  /**
   * Each message reaches exactly one member of each queue group and every plain subscriber; the
   * members of a group live on different connections, as workers in different processes do.
   * Which member gets a message is unspecified (NATS picks at random): tests must not assume
   * round-robin, only that work is spread.
   */
  @Test
  void queueGroupDeliversEachMessageToExactlyOneMemberAndSpreadsWork() {
    int n = 300;
    Transport pub = transport();
    Transport plainSide = transport();
    Recorder plain1 = new Recorder();
    Recorder plain2 = new Recorder();
    plainSide.subscribe(subject("jobs"), null, plain1);
    plainSide.subscribe(subject("jobs"), null, plain2);
    sync(plainSide);

    CountDownLatch workersGot = new CountDownLatch(n);
    CountDownLatch auditorsGot = new CountDownLatch(n);
    List<List<String>> workers = new ArrayList<>();
    List<TransportSubscription> workerSubs = new ArrayList<>();
    List<List<String>> auditors = new ArrayList<>();
    List<TransportSubscription> auditorSubs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Transport t = transport();
      List<String> got = Collections.synchronizedList(new ArrayList<>());
      workers.add(got);
      workerSubs.add(t.subscribe(subject("jobs"), "workers", m -> {
        got.add(text(m));
        workersGot.countDown();
      }));
      // a second group on the same subject: it gets its own copy of each message
      List<String> audited = Collections.synchronizedList(new ArrayList<>());
      auditors.add(audited);
      auditorSubs.add(t.subscribe(subject("*"), "auditors", m -> {
        audited.add(text(m));
        auditorsGot.countDown();
      }));
      sync(t);
    }
    assertThat(workerSubs.get(0).queueGroup()).isEqualTo("workers");

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("job-" + i);
      publish(pub, subject("jobs"), "job-" + i);
    }
    sync(pub);

    assertThat(plain1.takeTexts(n)).isEqualTo(expected);
    assertThat(plain2.takeTexts(n)).isEqualTo(expected);
    await(workersGot, "the workers group to get every job");
    await(auditorsGot, "the auditors group to get every job");
    // draining each member delivers whatever it had received: after that nothing more can come,
    // so a duplicate would show in the totals
    for (TransportSubscription s : workerSubs) {
      await(s.drain(WAIT), "drain of a worker");
    }
    for (TransportSubscription s : auditorSubs) {
      await(s.drain(WAIT), "drain of an auditor");
    }
    for (List<List<String>> group : List.of(workers, auditors)) {
      List<String> all = new ArrayList<>();
      group.forEach(all::addAll);
      assertThat(all).as("every job exactly once in the group").hasSize(n)
          .containsExactlyInAnyOrderElementsOf(expected);
      for (List<String> member : group) {
        assertThat(member).as("each of 3 members gets some of %s jobs", n).isNotEmpty();
        List<String> sorted = new ArrayList<>(member);
        sorted.sort((a, b) -> Integer.compare(index(a), index(b)));
        assertThat(member).as("a member sees its share in publish order").isEqualTo(sorted);
      }
    }
  }

  private static int index(String job) {
    return Integer.parseInt(job.substring(job.indexOf('-') + 1));
  }

  // ================================================================= request / reply

  @Test
  void requestGetsReplyWithHeadersBothWays() {
    Transport responder = transport();
    Transport requester = transport();
    CompletableFuture<TransportMessage> seen = new CompletableFuture<>();
    responder.subscribe(subject("svc"), null, m -> {
      seen.complete(m);
      Headers replyHeaders = Headers.builder()
          .add("X-Reply", "yes")
          .add("X-Reply-Multi", "1")
          .add("X-Reply-Multi", "2")
          .build();
      responder.publish(m.replyTo(), null, replyHeaders, bytes("pong:" + text(m)));
    });
    sync(responder);

    Headers requestHeaders = Headers.builder()
        .add("X-Request", "a")
        .add("X-Request", "b")
        .build();
    TransportMessage reply = await(
        requester.request(subject("svc"), requestHeaders, bytes("ping"), WAIT), "the reply");

    assertThat(text(reply)).isEqualTo("pong:ping");
    assertThat(reply.headers().first("X-Reply")).isEqualTo("yes");
    assertThat(reply.headers().all("X-Reply-Multi")).containsExactly("1", "2");
    TransportMessage request = await(seen, "the request at the responder");
    assertThat(request.subject()).isEqualTo(subject("svc"));
    assertThat(request.replyTo()).as("a request carries a reply inbox").isNotBlank()
        .isNotEqualTo(subject("svc"));
    assertThat(request.headers().all("X-Request")).containsExactly("a", "b");
  }

  @Test
  void eachRequestHasItsOwnInbox() {
    Transport responder = transport();
    Transport requester = transport();
    responder.subscribe(subject("echo"), null,
        m -> responder.publish(m.replyTo(), null, Headers.empty(), m.payload()));
    sync(responder);

    List<CompletableFuture<TransportMessage>> replies = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      replies.add(requester.request(subject("echo"), Headers.empty(), bytes("r" + i), WAIT));
    }
    for (int i = 0; i < 50; i++) {
      assertThat(text(await(replies.get(i), "reply " + i))).isEqualTo("r" + i);
    }
  }

  /**
   * With several responders (here: two plain subscribers), the request completes with the first
   * reply; later replies are ignored and do not fail anything. NATS' request does the same.
   */
  @Test
  void requestCompletesWithTheFirstOfSeveralReplies() {
    Transport a = transport();
    Transport b = transport();
    Transport requester = transport();
    a.subscribe(subject("svc"), null,
        m -> a.publish(m.replyTo(), null, Headers.empty(), bytes("from-a")));
    b.subscribe(subject("svc"), null,
        m -> b.publish(m.replyTo(), null, Headers.empty(), bytes("from-b")));
    sync(a);
    sync(b);

    TransportMessage reply = await(
        requester.request(subject("svc"), Headers.empty(), bytes("?"), WAIT), "a reply");
    assertThat(text(reply)).isIn("from-a", "from-b");
    // the transport is still usable afterwards
    assertThat(text(await(requester.request(subject("svc"), Headers.empty(), bytes("?"), WAIT),
        "a second reply"))).isIn("from-a", "from-b");
  }

  /**
   * Nobody subscribes: the request fails with {@link NoRespondersException} at once. The request
   * timeout is far longer than the guard, so a transport that waited for its timeout instead
   * would fail this test.
   */
  @Test
  void requestWithNobodyListeningFailsFastWithNoResponders() {
    Transport requester = transport();
    Transport other = transport();
    other.subscribe(subject("svc.other"), null, new Recorder());
    sync(other);

    CompletableFuture<TransportMessage> f = requester.request(
        subject("svc.nobody"), Headers.empty(), bytes("?"), Duration.ofMinutes(5));
    assertThat(failureOf(f, "a request nobody listens to"))
        .isInstanceOfSatisfying(NoRespondersException.class,
            e -> assertThat(e.subject()).isEqualTo(subject("svc.nobody")));
  }

  /** Somebody listens but never answers: a timeout, not no-responders. */
  @Test
  void requestToSilentSubscriberTimesOut() {
    Transport silent = transport();
    Transport requester = transport();
    Recorder r = new Recorder();
    silent.subscribe(subject("svc"), null, r);
    sync(silent);

    Duration timeout = Duration.ofMillis(300);
    CompletableFuture<TransportMessage> f =
        requester.request(subject("svc"), Headers.empty(), bytes("?"), timeout);
    assertThat(failureOf(f, "a request nobody answers"))
        .isInstanceOfSatisfying(RequestTimeoutException.class, e -> {
          assertThat(e.subject()).isEqualTo(subject("svc"));
          assertThat(e.timeout()).isEqualTo(timeout);
        });
    assertThat(text(r.take())).as("the request did reach the subscriber").isEqualTo("?");
  }

  // requestAndWait: the same request, waited for on the calling thread

  @Test
  void requestAndWaitReturnsTheReplyWithItsHeaders() throws InterruptedException {
    Transport responder = transport();
    Transport requester = transport();
    responder.subscribe(subject("svc"), null, m -> responder.publish(m.replyTo(), null,
        Headers.of("X-Reply", "to-" + m.headers().first("X-Request")),
        bytes("pong:" + text(m))));
    sync(responder);

    for (int i = 0; i < 20; i++) {
      TransportMessage reply = requester.requestAndWait(subject("svc"),
          Headers.of("X-Request", "r" + i), bytes("ping" + i), WAIT);
      assertThat(text(reply)).isEqualTo("pong:ping" + i);
      assertThat(reply.headers().first("X-Reply")).isEqualTo("to-r" + i);
    }
  }

  @Test
  void requestAndWaitFailsFastWithNoRespondersAndTimesOutOnSilence() {
    Transport silent = transport();
    Transport requester = transport();
    Recorder r = new Recorder();
    silent.subscribe(subject("svc"), null, r);
    sync(silent);

    assertThatThrownBy(() -> assertTimeoutPreemptively(WAIT, () -> requester.requestAndWait(
        subject("svc.nobody"), Headers.empty(), bytes("?"), Duration.ofMinutes(5))))
        .isInstanceOfSatisfying(NoRespondersException.class,
            e -> assertThat(e.subject()).isEqualTo(subject("svc.nobody")));

    Duration timeout = Duration.ofMillis(300);
    assertThatThrownBy(() -> requester.requestAndWait(subject("svc"), Headers.empty(),
        bytes("?"), timeout))
        .isInstanceOfSatisfying(RequestTimeoutException.class, e -> {
          assertThat(e.subject()).isEqualTo(subject("svc"));
          assertThat(e.timeout()).isEqualTo(timeout);
        });
    assertThat(text(r.take())).as("the request did reach the subscriber").isEqualTo("?");
  }

  @Test
  void requestAndWaitAnswersAnInterruptAndLeavesTheTransportUsable() throws Exception {
    Transport silent = transport();
    Transport requester = transport();
    Recorder arrived = new Recorder();
    silent.subscribe(subject("svc.silent"), null, arrived);
    silent.subscribe(subject("svc.echo"), null,
        m -> silent.publish(m.replyTo(), null, Headers.empty(), m.payload()));
    sync(silent);

    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        requester.requestAndWait(subject("svc.silent"), Headers.empty(), bytes("?"),
            Duration.ofMinutes(5));
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    });
    waiter.start();
    arrived.take(); // the request is out; its requester is waiting
    waiter.interrupt();
    assertThat(await(outcome, "the interrupted requester"))
        .isInstanceOf(InterruptedException.class);
    assertThat(text(requester.requestAndWait(subject("svc.echo"), Headers.empty(),
        bytes("still here"), WAIT))).isEqualTo("still here");
  }

  @Test
  void handlerMayMakeARequestFromInsideItsHandler() {
    // everything on one transport: the hardest case for a transport with one dispatch thread
    Transport t = transport();
    t.subscribe(subject("inner"), null,
        m -> t.publish(m.replyTo(), null, Headers.empty(), bytes("inner:" + text(m))));
    CompletableFuture<String> outcome = new CompletableFuture<>();
    t.subscribe(subject("outer"), null, m -> {
      try {
        TransportMessage inner = t.request(subject("inner"), Headers.empty(), m.payload(), WAIT)
            .get(WAIT_SECONDS, TimeUnit.SECONDS);
        outcome.complete(text(inner));
        t.publish(m.replyTo(), null, Headers.empty(), bytes("outer:" + text(inner)));
      } catch (Exception e) {
        outcome.completeExceptionally(e);
      }
    });
    sync(t);

    Transport client = transport();
    TransportMessage reply = await(
        client.request(subject("outer"), Headers.empty(), bytes("x"), WAIT), "the outer reply");
    assertThat(await(outcome, "the nested request")).isEqualTo("inner:x");
    assertThat(text(reply)).isEqualTo("outer:inner:x");
  }

  // ================================================================= ordering and concurrency

  @Test
  void oneSubscriptionSeesOnePublishersMessagesInOrder() {
    int n = 10_000;
    Transport sub = transport();
    Transport pub = transport();
    List<Integer> got = Collections.synchronizedList(new ArrayList<>(n));
    CountDownLatch all = new CountDownLatch(n);
    sub.subscribe(subject("seq"), null, m -> {
      got.add(Integer.parseInt(text(m)));
      all.countDown();
    });
    sync(sub);

    for (int i = 0; i < n; i++) {
      publish(pub, subject("seq"), Integer.toString(i));
    }
    sync(pub);
    await(all, n + " messages");
    for (int i = 0; i < n; i++) {
      if (got.get(i) != i) {
        fail("Message " + i + " arrived as number " + got.get(i) + " (out of order)");
      }
    }
  }

  /**
   * Four threads publish at once, two per transport (a transport is shared between threads): no
   * message is lost and each publisher's messages keep their order.
   */
  @Test
  void concurrentPublishersLoseNothingAndKeepEachPublishersOrder() throws Exception {
    int perPublisher = 2_000;
    int publishers = 4;
    Transport sub = transport();
    Map<String, List<Integer>> byPublisher = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(publishers * perPublisher);
    sub.subscribe(subject("many"), null, m -> {
      String[] parts = text(m).split(":");
      byPublisher.computeIfAbsent(parts[0], k -> Collections.synchronizedList(new ArrayList<>()))
          .add(Integer.parseInt(parts[1]));
      all.countDown();
    });
    sync(sub);

    Transport[] pubs = {transport(), transport()};
    CyclicBarrier start = new CyclicBarrier(publishers);
    List<CompletableFuture<Void>> done = new ArrayList<>();
    for (int p = 0; p < publishers; p++) {
      String id = "p" + p;
      Transport t = pubs[p % 2];
      CompletableFuture<Void> f = new CompletableFuture<>();
      done.add(f);
      Thread thread = new Thread(() -> {
        try {
          start.await(WAIT_SECONDS, TimeUnit.SECONDS);
          for (int i = 0; i < perPublisher; i++) {
            publish(t, subject("many"), id + ":" + i);
          }
          t.flush(WAIT);
          f.complete(null);
        } catch (Throwable e) {
          f.completeExceptionally(e);
        }
      }, "contract-publisher-" + p);
      thread.start();
    }
    for (CompletableFuture<Void> f : done) {
      await(f, "a publisher thread");
    }
    await(all, publishers * perPublisher + " messages");
    assertThat(byPublisher).hasSize(publishers);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < perPublisher; i++) {
      expected.add(i);
    }
    byPublisher.forEach((id, seq) ->
        assertThat(seq).as("messages of publisher %s", id).isEqualTo(expected));
  }

  @Test
  void blockingHandlerDoesNotHoldBackAnotherSubscription() {
    Transport t = transport();
    Transport pub = transport();
    CountDownLatch release = gate();
    CountDownLatch blockedEntered = new CountDownLatch(1);
    CountDownLatch blockedDone = new CountDownLatch(1);
    t.subscribe(subject("slow"), null, m -> {
      blockedEntered.countDown();
      release.await();
      blockedDone.countDown();
    });
    Recorder fast = new Recorder();
    t.subscribe(subject("fast"), null, fast); // same transport as the blocked one
    sync(t);

    publish(pub, subject("slow"), "block");
    await(blockedEntered, "the blocking handler to start");
    publish(pub, subject("fast"), "go");
    assertThat(text(fast.take())).isEqualTo("go");
    assertThat(blockedDone.getCount()).as("the slow handler is still blocked").isEqualTo(1);

    release.countDown();
    await(blockedDone, "the blocked handler to finish");
  }

  /**
   * Isolation does not depend on a fixed number of threads: with more blocked handlers than any
   * bounded pool of the transport could have run at once (100 here), another subscription on the
   * same transport still gets its messages, in order, and each blocked one gets all of its own
   * once released.
   */
  @Test
  void manyBlockedHandlersDoNotHoldBackAnotherSubscription() {
    Transport t = transport();
    Transport pub = transport();
    int blocked = 100;
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(blocked);
    CountDownLatch allDone = new CountDownLatch(blocked * 2);
    List<List<String>> seen = new ArrayList<>();
    for (int i = 0; i < blocked; i++) {
      List<String> mine = new CopyOnWriteArrayList<>();
      seen.add(mine);
      t.subscribe(subject("blocked." + i), null, m -> {
        entered.countDown();
        release.await();
        mine.add(text(m));
        allDone.countDown();
      });
    }
    Recorder free = new Recorder();
    t.subscribe(subject("free"), null, free);
    sync(t);

    for (int i = 0; i < blocked; i++) {
      publish(pub, subject("blocked." + i), "first");
      publish(pub, subject("blocked." + i), "second");
    }
    await(entered, "every blocking handler to start");
    publish(pub, subject("free"), "a");
    publish(pub, subject("free"), "b");
    assertThat(free.takeTexts(2)).containsExactly("a", "b");
    assertThat(allDone.getCount()).as("the blocked handlers are still blocked")
        .isEqualTo(blocked * 2L);

    release.countDown();
    await(allDone, "every blocked handler to finish both of its messages");
    for (List<String> mine : seen) {
      assertThat(mine).containsExactly("first", "second");
    }
  }

  @Test
  void throwingHandlerKeepsItsSubscriptionAndIsCounted() {
    Transport t = transport();
    Transport pub = transport();
    List<String> seen = new CopyOnWriteArrayList<>();
    CountDownLatch three = new CountDownLatch(3);
    t.subscribe(subject("boom"), null, m -> {
      seen.add(text(m));
      three.countDown();
      if (!text(m).equals("fine")) {
        throw new IllegalStateException("handler failure the contract suite provoked on purpose");
      }
    });
    Recorder neighbour = new Recorder();
    t.subscribe(subject("boom"), null, neighbour);
    sync(t);
    long failuresBefore = t.stats().handlerFailures();

    publish(pub, subject("boom"), "bad-1");
    publish(pub, subject("boom"), "bad-2");
    publish(pub, subject("boom"), "fine");

    await(three, "all three messages at the throwing handler");
    assertThat(seen).containsExactly("bad-1", "bad-2", "fine");
    assertThat(neighbour.takeTexts(3)).containsExactly("bad-1", "bad-2", "fine");
    assertThat(t.stats().handlerFailures() - failuresBefore).isEqualTo(2);
  }

  // ================================================================= unsubscribe and drain

  @Test
  void unsubscribeStopsDelivery() {
    Transport sub = transport();
    Transport pub = transport();
    Recorder old = new Recorder();
    TransportSubscription s = sub.subscribe(subject("u"), null, old);
    sync(sub);
    assertThat(s.subject()).isEqualTo(subject("u"));
    assertThat(s.queueGroup()).isNull();
    assertThat(s.isActive()).isTrue();

    publish(pub, subject("u"), "before");
    assertThat(text(old.take())).isEqualTo("before");

    s.unsubscribe();
    s.unsubscribe(); // idempotent
    assertThat(s.isActive()).isFalse();
    sync(sub);
    Recorder fresh = new Recorder();
    sub.subscribe(subject("u"), null, fresh);
    sync(sub);

    publish(pub, subject("u"), "after");
    publish(pub, subject("u"), "marker");
    assertThat(fresh.takeTexts(2)).containsExactly("after", "marker");
    assertThat(old.count()).as("messages at the unsubscribed handler").isEqualTo(1);
    assertThat(s.deliveredMessages() + s.pendingMessages()).isEqualTo(1);
  }

  /**
   * Drain: messages already received are still handled, in order, after the drain starts; the
   * future completes only when the last handler returns, and the subscription is then inactive.
   */
  @Test
  void subscriptionDrainFinishesInFlightAndReceivedMessages() {
    Transport sub = transport();
    Transport pub = transport();
    CountDownLatch release = gate();
    CountDownLatch firstEntered = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    TransportSubscription s = sub.subscribe(subject("d"), null, m -> {
      firstEntered.countDown();
      release.await();
      handled.add(text(m));
    });
    sync(sub);

    for (int i = 0; i < 5; i++) {
      publish(pub, subject("d"), "m" + i);
    }
    sync(pub);
    await(firstEntered, "the first message at the handler");

    CompletableFuture<Void> drained = s.drain(WAIT);
    assertThat(drained).as("a drain waits for the blocked handler").isNotDone();
    release.countDown();
    await(drained, "the drain");

    assertThat(handled).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(s.isActive()).isFalse();
    assertThat(s.deliveredMessages()).isEqualTo(5);
    assertThat(s.pendingMessages()).isZero();

    publish(pub, subject("d"), "late");
    // on NATS the publisher's connection must have delivered "late" to the server before the new
    // subscription exists there, or the new subscription would rightly receive it
    sync(pub);
    Recorder marker = new Recorder();
    sub.subscribe(subject("d"), null, marker);
    sync(sub);
    publish(pub, subject("d"), "marker");
    assertThat(marker.textsBefore("marker")).isEmpty();
    assertThat(handled).as("nothing after the drain").hasSize(5);
  }

  @Test
  void transportDrainLetsHandlersFinishThenCloses() {
    Transport sub = transport();
    Transport pub = transport();
    CountDownLatch release = gate();
    CountDownLatch firstEntered = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    TransportSubscription s = sub.subscribe(subject("td"), null, m -> {
      firstEntered.countDown();
      release.await();
      handled.add(text(m));
    });
    sync(sub);
    for (int i = 0; i < 3; i++) {
      publish(pub, subject("td"), "m" + i);
    }
    sync(pub);
    await(firstEntered, "the first message at the handler");

    CompletableFuture<Void> drained = sub.drain(WAIT);
    assertThat(drained).as("a drain waits for the blocked handler").isNotDone();
    release.countDown();
    await(drained, "the transport drain");

    assertThat(handled).containsExactly("m0", "m1", "m2");
    assertThat(s.isActive()).isFalse();
    assertThatThrownBy(() -> publish(sub, subject("td"), "after drain"))
        .isInstanceOf(TransportException.class);
  }

  /**
   * While draining, handlers may still publish (here: reply to a request), as NATS allows until
   * the drain completes; new subscriptions are refused.
   */
  @Test
  void handlersMayStillPublishWhileTheirTransportDrains() {
    Transport responder = transport();
    Transport requester = transport();
    CountDownLatch release = gate();
    CountDownLatch entered = new CountDownLatch(1);
    responder.subscribe(subject("svc"), null, m -> {
      entered.countDown();
      release.await();
      responder.publish(m.replyTo(), null, Headers.empty(), bytes("late but fine"));
    });
    sync(responder);

    CompletableFuture<TransportMessage> reply =
        requester.request(subject("svc"), Headers.empty(), bytes("?"), WAIT);
    await(entered, "the request at the responder");
    CompletableFuture<Void> drained = responder.drain(WAIT);
    release.countDown();

    assertThat(text(await(reply, "the reply sent during drain"))).isEqualTo("late but fine");
    await(drained, "the drain");
  }

  @Test
  void closedTransportRefusesEverythingAndCloseIsIdempotent() {
    Transport t = transport();
    TransportSubscription s = t.subscribe(subject("c"), null, new Recorder());
    sync(t);

    t.close();
    t.close();

    assertThat(s.isActive()).isFalse();
    assertThatThrownBy(() -> publish(t, subject("c"), "x"))
        .isInstanceOf(TransportException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> t.subscribe(subject("c"), null, new Recorder()))
        .isInstanceOf(TransportException.class);
    // decided: a request on a closed transport throws at once, like publish, rather than
    // returning a failed future (jnats throws too)
    assertThatThrownBy(() -> t.request(subject("c"), Headers.empty(), bytes("?"), WAIT))
        .isInstanceOf(TransportException.class);
    assertThatThrownBy(() -> t.flush(WAIT)).isInstanceOf(TransportException.class);
  }

  @Test
  void pendingRequestFailsWhenItsTransportCloses() {
    Transport silent = transport();
    silent.subscribe(subject("svc"), null, new Recorder());
    sync(silent);
    Transport requester = transport();

    CompletableFuture<TransportMessage> f =
        requester.request(subject("svc"), Headers.empty(), bytes("?"), Duration.ofMinutes(5));
    requester.close();

    assertThat(failureOf(f, "a request whose transport closed"))
        .isInstanceOf(TransportException.class);
  }

  // ================================================================= stats

  @Test
  void statsCountPublishedDeliveredAndFailures() {
    Transport sub = transport();
    Transport pub = transport();
    CountDownLatch three = new CountDownLatch(3);
    sub.subscribe(subject("st"), null, m -> {
      three.countDown();
      if (text(m).equals("throw")) {
        throw new IllegalStateException("provoked by the contract suite");
      }
    });
    sync(sub);

    // the failure is counted after its handler returns: the message after it proves it was
    publish(pub, subject("st"), "a");
    publish(pub, subject("st"), "throw");
    publish(pub, subject("st"), "b");
    publish(pub, subject("nobody.listens"), "counted as published all the same");
    await(three, "three messages");

    assertThat(pub.stats().published()).isEqualTo(4);
    assertThat(sub.stats().delivered()).isEqualTo(3);
    assertThat(sub.stats().handlerFailures()).isEqualTo(1);
    assertThat(sub.stats().published()).isZero();
    assertThat(pub.stats().dropped()).isZero();
    assertThat(sub.stats().reconnects()).isZero();
  }
}
