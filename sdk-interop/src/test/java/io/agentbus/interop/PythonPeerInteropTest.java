package io.agentbus.interop;

import static io.agentbus.MessageType.ANSWER;
import static io.agentbus.MessageType.QUESTION;
import static io.agentbus.MessageType.RESOURCE_REQUEST;
import static io.agentbus.MessageType.RESOURCE_RESPONSE;
import static io.agentbus.MessageType.STATUS_UPDATE;
import static io.agentbus.MessageType.TASK_ASSIGNMENT;
import static io.agentbus.MessageType.TASK_COMPLETE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.interop.PythonPeer.Run;
import io.agentbus.test.SeedFixtures;
import io.agentbus.test.VirtualScheduler;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.time.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's Python agents ({@code interop/python}, on nats-py) and AgentBus's Java agents on one
 * real nats-server. Each test runs the Java agents of a scenario here and the Python agents of the
 * same scenario ({@code tests/test_with_java.py}) in a Python process; both sides check what they
 * received, and each scenario prints one line with what each side sent and received.
 */
class PythonPeerInteropTest {
  /** How long one step may wait for the other side; a scenario normally takes about a second. */
  static final Duration WAIT = Duration.ofSeconds(15);
  static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  static final Duration DEAD_AFTER = HEARTBEAT_INTERVAL.multipliedBy(3);

  // the seed's Phase 1.1 contents, as its recorded messages have them (test_with_java.py reads the
  // same files)
  static final Map<String, Object> TASK_MODEL_REQUEST = seedContent("resource-request");
  static final Map<String, Object> TASK_MODEL = seedContent("resource-response");
  static final Map<String, Object> PARSER_DONE = seedContent("task-complete-broadcast");
  static final Map<String, Object> DECOMPOSER_STARTED = ordered(
      "status", "started", "component", "task_decomposer");
  static final Map<String, Object> DECOMPOSER_DONE = ordered(
      "task", "TaskDecomposer implementation",
      "output", "src/core/task_decomposer.py",
      "tests", "tests/test_task_decomposer.py");
  static final String QUEUE = SeedFixtures.QUEUE_NAME;
  static final List<String> TESTS = IntStream.rangeClosed(1, 6)
      .mapToObj(i -> "tests/test_task_parser.py::test_case_" + i).toList();
  static final String SEED_CORRELATION_ID = "[a-z0-9-]+-\\d{13}-\\d+";

  /** test_with_java.py's RICH_CONTENT as AgentBus decodes it: integers long, floats double. */
  static final Map<String, Object> RICH_CONTENT = ordered(
      "int64_max", Long.MAX_VALUE,
      "int64_min", Long.MIN_VALUE,
      "beyond_double", 9007199254740993L,
      "zero", 0L,
      "negative", -42L,
      "tenth", 0.1,
      "integral_float", 2.0,
      "tiny", 1e-7,
      "huge", 1.5e300,
      "negative_float", -273.15,
      "unicode", "Zürich, 東京, Ελληνικά, rocket 🚀, e\u0301",
      "escapes", "quote \" backslash \\ newline \n tab \t nul \u0000 end",
      "empty", "",
      "nothing", null,
      "yes", true,
      "no", false,
      "mixed_list", Arrays.asList(1L, 2.5, "three", null, List.of(), Map.of(), true),
      "nested", Map.of("a", Map.of("b", Map.of("c",
          List.of(Map.of("d", List.of(1L, Map.of("e", "deep"))))))),
      "counts", LongStream.range(0, 50).boxed().toList());
  /** test_with_java.py's TIMESTAMPS, each as the instant it must be read as. */
  static final Map<String, Instant> TIMESTAMPS = Map.of(
      "aware_isoformat", Instant.parse("2025-12-05T14:30:30.123456Z"),
      "aware_whole_second", Instant.parse("2025-12-05T14:30:30Z"),
      "naive_utcnow_form", Instant.parse("2025-12-05T14:30:30.123456Z"),
      "z_millis", Instant.parse("2025-12-05T14:30:00Z"),
      "z_no_fraction", Instant.parse("2025-12-05T14:40:00Z"),
      "offset_ist", Instant.parse("2025-12-05T14:30:30.123456Z"));

  @RegisterExtension
  static final NatsServerExtension nats = NatsServerExtension.create();

  private static PythonPeer python;

  private MessageBus bus;
  private final List<AbstractAgent> agents = new ArrayList<>();
  private final Traffic java = new Traffic();
  private long startedNanos;

  @BeforeAll
  static void locatePython() {
    python = PythonPeer.locate();
  }

  @BeforeEach
  void connect() {
    startedNanos = System.nanoTime();
    bus = AgentBusConfig.fromProperties(Map.of(
        "agentbus.transport", "nats",
        "agentbus.nats.url", nats.url())).newMessageBus();
  }

  @AfterEach
  void close() throws Exception {
    for (AbstractAgent agent : agents) {
      agent.stopAsync();
    }
    for (AbstractAgent agent : agents) {
      agent.awaitTerminated(WAIT);
    }
    if (bus != null) {
      bus.close();
    }
  }

  // ------------------------------------------------------------ the Phase 1.1 flow, both ways

  @Test
  void pythonArchitectAnswersJavaParser(TestInfo test) throws Exception {
    CompletableFuture<AgentMessage> answer = new CompletableFuture<>();
    CompletableFuture<AgentMessage> decomposerDone = new CompletableFuture<>();
    try (Run py = python.start("test_with_java.py::test_python_architect_answers_java_parser",
        nats.url())) {
      start("test-coordinator", h -> h.onBroadcast(TASK_COMPLETE, d -> {
        if (d.message().fromAgent().equals("decomposer-001")) {
          java.received(d.message());
          decomposerDone.complete(d.message());
        }
      }));
      py.await("READY", WAIT);

      start("parser-dev-001", h -> h.workLoop(() -> completing(answer, () -> {
        AgentEndpoint me = bus.endpoint("parser-dev-001");
        java.sent("resource_request parser-dev-001->architect-001 (request)");
        AgentMessage reply = me.request("architect-001", RESOURCE_REQUEST, TASK_MODEL_REQUEST,
            WAIT);
        java.received(reply);
        me.broadcast(TASK_COMPLETE, PARSER_DONE);
        java.sent("task_complete parser-dev-001->*");
        return reply;
      })));

      AgentMessage reply = get(answer, "the Python architect's resource_response", py);
      assertThat(reply.fromAgent()).isEqualTo("architect-001");
      assertThat(reply.toAgent()).isEqualTo("parser-dev-001");
      assertThat(reply.messageType()).isEqualTo(RESOURCE_RESPONSE);
      assertThat(reply.correlationId()).matches(SEED_CORRELATION_ID)
          .startsWith("parser-dev-001-");
      assertThat(reply.content()).isEqualTo(TASK_MODEL);

      AgentMessage done = get(decomposerDone, "the Python decomposer's task_complete", py);
      assertThat(done.toAgent()).isNull();
      assertThat(done.content()).isEqualTo(DECOMPOSER_DONE);
      py.awaitPassed(1, WAIT);
      report(test, py);
    }
  }

  @Test
  void javaArchitectAnswersPythonParser(TestInfo test) throws Exception {
    CompletableFuture<AgentMessage> request = new CompletableFuture<>();
    CompletableFuture<AgentMessage> heard = new CompletableFuture<>();
    start("architect-001", h -> h.onRequest(RESOURCE_REQUEST, RESOURCE_RESPONSE, m -> {
      java.received(m);
      request.complete(m);
      java.sent("resource_response architect-001->" + m.fromAgent() + " (reply)");
      return TASK_MODEL;
    }));
    start("decomposer-001", h -> h.onBroadcast(TASK_COMPLETE, d -> {
      AgentMessage m = d.message();
      if (!m.fromAgent().equals("parser-dev-001") || heard.isDone()) {
        return;
      }
      java.received(m);
      heard.complete(m);
      AgentEndpoint me = bus.endpoint("decomposer-001");
      me.broadcast(STATUS_UPDATE, DECOMPOSER_STARTED);
      java.sent("status_update decomposer-001->*");
      me.broadcast(TASK_COMPLETE, DECOMPOSER_DONE);
      java.sent("task_complete decomposer-001->*");
    }));

    try (Run py = python.start("test_with_java.py::test_python_parser_asks_java_architect",
        nats.url())) {
      AgentMessage asked = get(request, "the Python parser's resource_request", py);
      assertThat(asked.fromAgent()).isEqualTo("parser-dev-001");
      assertThat(asked.toAgent()).isEqualTo("architect-001");
      assertThat(asked.correlationId()).matches(SEED_CORRELATION_ID);
      assertThat(asked.content()).isEqualTo(TASK_MODEL_REQUEST);
      assertThat(new ArrayList<>(asked.content().keySet())).containsExactly("resource", "reason");

      AgentMessage done = get(heard, "the Python parser's task_complete broadcast", py);
      assertThat(done.toAgent()).isNull();
      assertThat(done.correlationId()).isNull();
      assertThat(done.content()).isEqualTo(PARSER_DONE);
      py.awaitPassed(1, WAIT);
      report(test, py);
    }
  }

  @Test
  void pythonCoordinatorFeedsJavaWorkers(TestInfo test) throws Exception {
    Map<String, List<String>> ranBy = new ConcurrentHashMap<>();
    CountDownLatch allRan = new CountDownLatch(TESTS.size());
    for (int i = 1; i <= 3; i++) {
      String id = "test-worker-" + i;
      start(id, h -> h.onQueue(QUEUE, 1, d -> {
        AgentMessage m = d.message();
        java.received(m);
        assertThat(m.fromAgent()).isEqualTo("test-coordinator");
        assertThat(m.messageType()).isEqualTo(TASK_ASSIGNMENT);
        assertThat(m.content().get("attempt")).isInstanceOf(Long.class);
        String testName = String.valueOf(m.content().get("test"));
        ranBy.computeIfAbsent(testName, t -> new ArrayList<>()).add(id);
        bus.endpoint(id).send("test-coordinator", TASK_COMPLETE,
            ordered("test", testName, "result", "passed", "worker", id));
        java.sent("task_complete " + id + "->test-coordinator");
        allRan.countDown();
      }));
    }
    try (Run py = python.start("test_with_java.py::test_python_coordinator_feeds_java_workers",
        nats.url())) {
      await(allRan, "the Java workers to run all " + TESTS.size() + " tests", py);
      py.awaitPassed(1, WAIT);
      assertThat(ranBy.keySet()).containsExactlyInAnyOrderElementsOf(TESTS);
      assertThat(ranBy.values()).allSatisfy(workers -> assertThat(workers).hasSize(1));
      report(test, py);
    }
  }

  @Test
  void pythonWorkersServeJavaCoordinator(TestInfo test) throws Exception {
    Map<String, AgentMessage> results = new ConcurrentHashMap<>();
    CountDownLatch allReported = new CountDownLatch(TESTS.size());
    try (Run py = python.start("test_with_java.py::test_python_workers_serve_java_coordinator",
        nats.url())) {
      py.await("READY", WAIT);
      start("test-coordinator", h -> h
          .on(TASK_COMPLETE, d -> {
            java.received(d.message());
            if (results.putIfAbsent(String.valueOf(d.message().content().get("test")),
                d.message()) == null) {
              allReported.countDown();
            }
          })
          .workLoop(() -> {
            long attempt = 1;
            for (String t : TESTS) {
              bus.endpoint("test-coordinator").publishToQueue(QUEUE, TASK_ASSIGNMENT,
                  ordered("test", t, "attempt", attempt++));
              java.sent("task_assignment test-coordinator->queue." + QUEUE);
            }
          }));
      await(allReported, "all " + TESTS.size() + " results from the Python workers", py);
      py.awaitPassed(1, WAIT);
      assertThat(results.keySet()).containsExactlyInAnyOrderElementsOf(TESTS);
      assertThat(results.values()).allSatisfy(m -> {
        assertThat(m.fromAgent()).isEqualTo("test-worker-py");
        assertThat(m.toAgent()).isEqualTo("test-coordinator");
        assertThat(m.content()).containsEntry("result", "passed");
      });
      report(test, py);
    }
  }

  // ------------------------------------------------------------ every type, values, timestamps

  @Test
  void everyMessageTypeCrossesBothWays(TestInfo test) throws Exception {
    List<MessageType> types = MessageType.values();
    assertThat(types).hasSize(11);
    Map<String, Delivery> got = new ConcurrentHashMap<>();
    List<String> duplicates = new ArrayList<>();
    CountDownLatch all = new CountDownLatch(2 * types.size());
    Consumer<Delivery> record = d -> {
      AgentMessage m = d.message();
      if (!m.fromAgent().equals("py-agent-001")) {
        return; // the Java agent's own heartbeat
      }
      java.received(m);
      String key = m.messageType().wireName() + (m.toAgent() == null ? " broadcast" : " direct");
      if (got.putIfAbsent(key, d) == null) {
        all.countDown();
      } else {
        synchronized (duplicates) {
          duplicates.add(key);
        }
      }
    };
    start("java-agent-001", h -> {
      for (MessageType t : types) {
        h.on(t, record::accept).onBroadcast(t, record::accept);
      }
    });

    try (Run py = python.start("test_with_java.py::test_every_message_type_both_ways",
        nats.url())) {
      py.await("READY", WAIT);
      AgentEndpoint me = bus.endpoint("java-agent-001");
      for (int seq = 0; seq < types.size(); seq++) {
        MessageType t = types.get(seq);
        Map<String, Object> content = typeContent(t, seq, "java->python");
        me.send("py-agent-001", t, content);
        java.sent(t.wireName() + " java-agent-001->py-agent-001");
        me.broadcast(t, content);
        java.sent(t.wireName() + " java-agent-001->*");
      }
      await(all, "the 22 messages from Python", py);
      py.awaitPassed(1, WAIT);

      for (int seq = 0; seq < types.size(); seq++) {
        MessageType t = types.get(seq);
        Delivery direct = got.get(t.wireName() + " direct");
        assertThat(direct.subject()).isEqualTo("orchestrator.agent.java-agent-001." + t.wireName());
        assertThat(direct.message().toAgent()).isEqualTo("java-agent-001");
        Delivery broadcast = got.get(t.wireName() + " broadcast");
        assertThat(broadcast.subject()).isEqualTo("orchestrator.broadcast." + t.wireName());
        for (Delivery d : List.of(direct, broadcast)) {
          assertThat(d.message().messageType()).isEqualTo(t);
          assertThat(d.message().messageType().isKnown()).isTrue();
          assertThat(d.message().content()).isEqualTo(typeContent(t, seq, "python->java"));
          assertThat(d.message().correlationId()).isNull();
          assertThat(d.headers().isEmpty()).as("nats-py sends no headers").isTrue();
        }
      }
      assertThat(duplicates).isEmpty();
      report(test, py);
    }
  }

  @Test
  void valuesAndTimestampsCrossUnchanged(TestInfo test) throws Exception {
    Map<String, AgentMessage> decoded = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(TIMESTAMPS.size());
    startRelay(m -> {
      decoded.put(String.valueOf(m.content().get("form")), m);
      all.countDown();
    });
    try (Run py = python.start("test_with_java.py::test_values_and_timestamps_cross_unchanged",
        nats.url())) {
      await(all, "the " + TIMESTAMPS.size() + " messages from Python", py);
      py.awaitPassed(1, WAIT);
      assertThat(decoded.keySet()).containsExactlyInAnyOrderElementsOf(TIMESTAMPS.keySet());
      TIMESTAMPS.forEach((form, instant) -> {
        AgentMessage m = decoded.get(form);
        assertThat(m.timestamp()).as(form).isEqualTo(instant);
        assertThat(m.correlationId()).isEqualTo("py-agent-001-" + form);
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) m.content().get("values");
        assertThat(values).as(form).isEqualTo(RICH_CONTENT);
        assertThat(new ArrayList<>(values.keySet())).containsExactlyElementsOf(
            RICH_CONTENT.keySet());
      });
      report(test, py);
    }
  }

  @Test
  void unknownTypeFromNewerPythonPeerIsDeliveredNotDropped(TestInfo test) throws Exception {
    Map<String, AgentMessage> reviews = new ConcurrentHashMap<>();
    CountDownLatch both = new CountDownLatch(2);
    startRelay(m -> {
      if (m.messageType().wireName().equals("code_review")) {
        reviews.put(m.toAgent() == null ? "broadcast" : "direct", m);
        both.countDown();
      }
    });
    try (Run py = python.start("test_with_java.py::test_unknown_type_from_a_newer_python_peer",
        nats.url())) {
      await(both, "the code_review messages from Python", py);
      py.awaitPassed(1, WAIT);
      assertThat(reviews.keySet()).containsExactlyInAnyOrder("direct", "broadcast");
      assertThat(reviews.values()).allSatisfy(m -> {
        assertThat(m.messageType().isKnown()).isFalse();
        assertThat(m.messageType().wireName()).isEqualTo("code_review");
        assertThat(m.content()).isEqualTo(ordered("diff", "+ added line", "lines", 1L));
      });
      assertThat(reviews.get("direct").correlationId()).isEqualTo("py-agent-001-review-1");
      report(test, py);
    }
  }

  // ------------------------------------------------------------ heartbeats

  @Test
  void heartbeatsAreSeenByBothLanguagesMonitors(TestInfo test) throws Exception {
    CompletableFuture<AgentEvent> pythonJoined = new CompletableFuture<>();
    CompletableFuture<AgentEvent> pythonDead = new CompletableFuture<>();
    List<AgentEvent> events = new ArrayList<>();
    OrchestratorMonitor monitor = OrchestratorMonitor.builder(bus).deadAfter(DEAD_AFTER)
        .addListener(e -> {
          synchronized (events) {
            events.add(e);
          }
          if (e.agentId().equals("py-hb-1")) {
            (e.kind() == AgentEvent.Kind.DEAD ? pythonDead : pythonJoined).complete(e);
          }
        })
        .build().start();
    // java-hb-2's clock never moves, as in a process whose timer thread is stuck: it beats once,
    // when it starts, and then is silent while its connection and subscriptions stay open
    VirtualScheduler stuck = VirtualScheduler.create();
    try (monitor; Run py = python.start("test_with_java.py::test_heartbeats_seen_by_both_monitors",
        nats.url())) {
      py.await("READY", WAIT);
      start("java-hb-1", Scheduler.system(), h -> { });
      start("java-hb-2", stuck, h -> { });
      java.sent("heartbeat java-hb-1->* (every " + HEARTBEAT_INTERVAL.toSeconds() + " s)");
      java.sent("heartbeat java-hb-2->* (once, then stuck)");
      py.await("SAW-ALIVE", WAIT);

      AgentEvent joined = get(pythonJoined, "the Java monitor's JOINED py-hb-1", py);
      assertThat(joined.kind()).isEqualTo(AgentEvent.Kind.JOINED);
      java.received("heartbeat py-hb-1->* (monitor: JOINED)");
      AgentEvent dead = get(pythonDead, "the Java monitor's DEAD py-hb-1", py);
      java.received("py-hb-1 silent: monitor DEAD after " + DEAD_AFTER.toSeconds() + " s");
      assertThat(Duration.between(joined.at(), dead.at()))
          .isGreaterThanOrEqualTo(DEAD_AFTER.plus(HEARTBEAT_INTERVAL));
      py.awaitPassed(1, DEAD_AFTER.plus(WAIT));
      synchronized (events) {
        assertThat(events).noneMatch(e -> e.agentId().equals("java-hb-1")
            && e.kind() == AgentEvent.Kind.DEAD);
      }
      report(test, py);
    }
  }

  // ------------------------------------------------------------ timeouts and errors

  @Test
  void timeoutsNoRespondersAndErrorRepliesAsEachClientReportsThem(TestInfo test)
      throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    start("java-agent-001", h -> h.onRequest(RESOURCE_REQUEST, RESOURCE_RESPONSE, m -> {
      java.received(m);
      throw new IllegalStateException("no resource named " + m.content().get("resource"));
    }));
    start("java-slow-001", h -> h.on(QUESTION, d -> {
      java.received(d.message());
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS); // never answers in time
    }));
    try (Run py = python.start("test_with_java.py::test_timeouts_no_responders_and_error_replies",
        nats.url())) {
      py.await("READY", WAIT);
      AgentEndpoint me = bus.endpoint("java-agent-001");

      long t0 = System.nanoTime();
      assertThatThrownBy(() -> me.request("py-slow-001", QUESTION,
          Map.of("question", "still there?"), Duration.ofMillis(500)))
          .isInstanceOf(RequestTimeoutException.class);
      Duration waited = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(waited).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
      java.sent("question java-agent-001->py-slow-001: RequestTimeoutException after "
          + waited.toMillis() + " ms");

      t0 = System.nanoTime();
      assertThatThrownBy(() -> me.request("nobody-001", QUESTION, Map.of("q", 1), WAIT))
          .isInstanceOf(NoRespondersException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(WAIT.dividedBy(2));
      java.sent("question java-agent-001->nobody-001: NoRespondersException");

      assertThatThrownBy(() -> me.request("py-agent-001", RESOURCE_REQUEST,
          Map.of("resource", "secret"), WAIT))
          .isInstanceOf(RemoteHandlerException.class)
          .hasMessageEndingWith(": LookupError: no resource named secret");
      java.sent("resource_request java-agent-001->py-agent-001");
      java.received("error reply 'LookupError: no resource named secret'");

      py.awaitPassed(1, WAIT);
      java.sent("error replies 'IllegalStateException: no resource named secret' and "
          + "'CodecException: ...' to the Python requester");
      report(test, py);
    } finally {
      release.countDown();
    }
  }

  // ------------------------------------------------------------ the partner itself

  @Test
  void thePythonPartnerPassesItsOwnTests(TestInfo test) {
    try (Run py = python.start("test_seed_bus.py", nats.url())) {
      py.awaitPassed(5, WAIT);
      System.out.printf("[interop] %s (%.1f s) | python alone, tests/test_seed_bus.py: %s (the"
              + " seed's JSON and subjects; request/reply, error reply, timeout, no responders;"
              + " a work queue; unknown types; error text)%n", test.getTestMethod().orElseThrow().getName(),
          (System.nanoTime() - startedNanos) / 1e9, py.summary());
    }
  }

  // ------------------------------------------------------------ helpers

  /** java-relay-001: hands each question and code_review to {@code seen}, and sends it back. */
  private void startRelay(Consumer<AgentMessage> seen) {
    MessageType codeReview = MessageType.of("code_review");
    start("java-relay-001", h -> h
        .on(QUESTION, d -> relay(d.message(), ANSWER, seen))
        .on(codeReview, d -> relay(d.message(), codeReview, seen))
        .onBroadcast(codeReview, d -> relay(d.message(), codeReview, seen)));
  }

  /** The message back to its sender, unchanged but for sender, addressee and type. */
  private void relay(AgentMessage m, MessageType type, Consumer<AgentMessage> seen) {
    java.received(m);
    seen.accept(m);
    AgentMessage back = m.toBuilder().fromAgent("java-relay-001").toAgent(m.fromAgent())
        .messageType(type).build();
    bus.publish(back);
    java.sent(back);
  }

  static Map<String, Object> typeContent(MessageType t, int seq, String direction) {
    return ordered("type", t.wireName(), "seq", (long) seq, "direction", direction);
  }

  private void start(String id, Consumer<Handlers> script) {
    start(id, Scheduler.system(), script);
  }

  private void start(String id, Scheduler scheduler, Consumer<Handlers> script) {
    AgentContext context = AgentContext.builder(bus).scheduler(scheduler)
        .heartbeatInterval(HEARTBEAT_INTERVAL).shutdownHook(false).build();
    ScriptedAgent agent = new ScriptedAgent(id, context, script);
    agents.add(agent);
    agent.startAsync();
    try {
      agent.awaitRunning(WAIT);
    } catch (TimeoutException e) {
      throw new AssertionError("The Java agent " + id + " did not start within " + WAIT, e);
    }
  }

  interface Step<T> {
    T run() throws Exception;
  }

  /** Runs {@code step} and completes {@code result} with its outcome, success or failure. */
  static <T> void completing(CompletableFuture<T> result, Step<T> step) {
    try {
      result.complete(step.run());
    } catch (Throwable e) {
      result.completeExceptionally(e);
    }
  }

  static <T> T get(CompletableFuture<T> future, String what, Run py) throws InterruptedException {
    try {
      return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw py.failure("ran, but the Java side got no " + what + " within " + WAIT);
    } catch (ExecutionException e) {
      AssertionError error = py.failure("ran, but the Java side failed waiting for " + what
          + ": " + e.getCause());
      error.initCause(e.getCause());
      throw error;
    }
  }

  static void await(CountDownLatch latch, String what, Run py) throws InterruptedException {
    if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw py.failure("ran, but the Java side waited in vain for " + what + " ("
          + latch.getCount() + " missing after " + WAIT + ")");
    }
  }

  private void report(TestInfo test, Run py) {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    System.out.printf("[interop] %s (%.1f s) | java sent: %s | java received: %s"
            + " | python sent: %s | python received: %s%n",
        test.getTestMethod().orElseThrow().getName(), seconds, java.sent(), java.received(),
        py.sent(), py.received());
  }

  private static Map<String, Object> seedContent(String fixture) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(
        SeedFixtures.named(fixture).expected().content()));
  }

  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
