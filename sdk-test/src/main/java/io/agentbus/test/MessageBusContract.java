package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.agentbus.AgentBusException;
import io.agentbus.AgentEndpoint;
import io.agentbus.AgentMessage;
import io.agentbus.CodecException;
import io.agentbus.Delivery;
import io.agentbus.Headers;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.NoRespondersException;
import io.agentbus.PayloadTooLargeException;
import io.agentbus.RemoteHandlerException;
import io.agentbus.RequestTimeoutException;
import io.agentbus.Subscription;
import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link MessageBus} promises on any transport: the seed's patterns (broadcast, direct,
 * request/reply, work queues, teams), failures that are never silent (dead letters, counted
 * failures, fast remote errors), unknown types from newer peers, interceptors and namespaces.
 *
 * <p>Extend it with a transport factory and a codec; the in-memory and NATS transports both run
 * it, which is what makes an agent unit-tested in memory behave the same on NATS. Every bus in a
 * test gets its own transport from {@link #newTransport()}, as separate processes would.
 *
 * <p>This file is longer than the project's 600-line rule on purpose: a compatibility kit is one
 * class to extend per implementation (as Micrometer's {@code MeterRegistryCompatibilityKit} is),
 * and every test in it is a promise that a user can read next to the others.
 */
public abstract class MessageBusContract {
  /** A guard against hangs, not a performance bound. */
  protected static final Duration WAIT = Duration.ofSeconds(10);

  private final List<MessageBus> buses = Collections.synchronizedList(new ArrayList<>());

  /** A new transport connected to the same bus (server) as the others in this test. */
  protected abstract Transport newTransport();

  /** The codec the buses publish with. */
  protected abstract Codec codec();

  /** A bus on a new transport, closed after the test. */
  protected MessageBus newBus() {
    return newBus(MessageBus.builder());
  }

  protected MessageBus newBus(MessageBus.Builder builder) {
    return newBus(builder, codec());
  }

  private MessageBus newBus(Codec codec) {
    return newBus(MessageBus.builder(), codec);
  }

  private MessageBus newBus(MessageBus.Builder builder, Codec codec) {
    MessageBus bus = builder.transport(newTransport()).codec(codec).build();
    buses.add(bus);
    return bus;
  }

  /** Makes subscriptions made so far effective everywhere (a NATS flush round trip). */
  protected void settle() {
    synchronized (buses) {
      for (MessageBus b : buses) {
        if (!b.isClosed()) {
          b.flush(WAIT);
        }
      }
    }
  }

  @AfterEach
  void closeBuses() {
    synchronized (buses) {
      buses.forEach(MessageBus::close);
      buses.clear();
    }
  }

  @Test
  void broadcastReachesSubscribersOfItsTypeOnly() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    BlockingQueue<AgentMessage> updates = new LinkedBlockingQueue<>();
    BlockingQueue<AgentMessage> heartbeats = new LinkedBlockingQueue<>();
    b.subscribeToBroadcasts(MessageType.STATUS_UPDATE, d -> updates.add(d.message()));
    b.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> heartbeats.add(d.message()));
    settle();

    a.endpoint("architect-001").broadcast(MessageType.STATUS_UPDATE,
        Map.of("status", "completed", "component", "task_model"));

    AgentMessage m = take(updates);
    assertThat(m.fromAgent()).isEqualTo("architect-001");
    assertThat(m.toAgent()).isNull();
    assertThat(m.messageType()).isEqualTo(MessageType.STATUS_UPDATE);
    assertThat(m.content()).isEqualTo(Map.of("status", "completed", "component", "task_model"));
    a.endpoint("architect-001").broadcast(MessageType.HEARTBEAT, Map.of("status", "alive"));
    assertThat(take(heartbeats).content()).containsEntry("status", "alive");
    assertThat(updates).isEmpty();
  }

  @Test
  void directMessagesReachOnlyTheirAgent() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    BlockingQueue<Delivery> architect = new LinkedBlockingQueue<>();
    BlockingQueue<Delivery> other = new LinkedBlockingQueue<>();
    b.subscribeToAgentMessages("architect-001", architect::add);
    b.subscribeToAgentMessages("architect-0010", other::add);
    settle();

    a.endpoint("parser-dev-001").send("architect-001", MessageType.QUESTION,
        Map.of("question", "Is Task model ready?"));

    Delivery d = take(architect);
    assertThat(d.subject()).isEqualTo("orchestrator.agent.architect-001.question");
    assertThat(d.message().toAgent()).isEqualTo("architect-001");
    assertThat(d.isRequest()).isFalse();
    // JSON travels without Content-Type, as the seed's Python agents send it, and so does a
    // payload its codec recognizes; others name their codec
    assertThat(d.headers().first(Headers.CONTENT_TYPE)).isEqualTo(
        codec().contentType().equals(MessageBus.DEFAULT_CONTENT_TYPE)
            || codec().recognizes(codec().encode(d.message())) ? null : codec().contentType());
    a.endpoint("x").send("architect-0010", MessageType.ANSWER, Map.of());
    take(other);
    assertThat(architect).isEmpty();
  }

  @Test
  void requestGetsTheReplyWithTheSameCorrelationId() throws Exception {
    MessageBus architect = newBus();
    MessageBus parser = newBus();
    architect.subscribeToAgentMessages("architect-001", d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of(
            "resource", d.message().content().get("resource"), "status", "ready")));
    settle();

    AgentMessage reply = parser.endpoint("parser-dev-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model"), WAIT);

    assertThat(reply.fromAgent()).isEqualTo("architect-001");
    assertThat(reply.toAgent()).isEqualTo("parser-dev-001");
    assertThat(reply.messageType()).isEqualTo(MessageType.RESOURCE_RESPONSE);
    assertThat(reply.content()).isEqualTo(Map.of("resource", "task_model", "status", "ready"));
    assertThat(reply.correlationId()).startsWith("parser-dev-001-");

    CompletableFuture<AgentMessage> async = parser.endpoint("parser-dev-001").requestAsync("architect-001", MessageType.RESOURCE_REQUEST, Map.of("resource", "b"), WAIT);
    assertThat(async.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).content())
        .containsEntry("resource", "b");
  }

  /**
   * Agents sharing one bus: one agent's handler that blocks does not stall another agent's
   * deliveries or its answers to requests, and the blocked agent gets its messages, in order,
   * once its handler returns.
   */
  @Test
  void oneAgentsBlockingHandlerDoesNotStallAnotherAgent() throws Exception {
    MessageBus host = newBus();
    MessageBus caller = newBus();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch entered = new CountDownLatch(1);
    BlockingQueue<String> stuck = new LinkedBlockingQueue<>();
    host.subscribeToAgentMessages("stuck-001", d -> {
      entered.countDown();
      if (!release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the test never released the blocked handler");
      }
      stuck.add(String.valueOf(d.message().content().get("note")));
    });
    BlockingQueue<Delivery> lively = new LinkedBlockingQueue<>();
    host.subscribeToAgentMessages("lively-001", d -> {
      lively.add(d);
      if (d.isRequest()) {
        d.reply(MessageType.ANSWER, Map.of("answer", "here"));
      }
    });
    settle();

    try {
      caller.endpoint("caller").send("stuck-001", MessageType.QUESTION, Map.of("note", "m1"));
      caller.endpoint("caller").send("stuck-001", MessageType.QUESTION, Map.of("note", "m2"));
      assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      caller.endpoint("caller").send("lively-001", MessageType.QUESTION, Map.of("note", "m3"));
      assertThat(take(lively).message().content()).containsEntry("note", "m3");
      AgentMessage answer = caller.endpoint("caller").request("lively-001",
          MessageType.QUESTION, Map.of("note", "m4"), WAIT);
      assertThat(answer.content()).containsEntry("answer", "here");
      assertThat(stuck).as("the blocked agent is still blocked").isEmpty();
    } finally {
      release.countDown();
    }
    assertThat(stuck.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("m1");
    assertThat(stuck.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("m2");
  }

  @Test
  void requestToNobodyFailsFastAndSilenceTimesOut() {
    MessageBus bus = newBus();
    assertThatThrownBy(() -> bus.endpoint("a").request("nobody-home", MessageType.QUESTION, Map.of(),
        WAIT)).isInstanceOf(NoRespondersException.class)
        .hasMessageContaining("orchestrator.agent.nobody-home.question");

    MessageBus silent = newBus();
    silent.subscribeToAgentMessages("silent", d -> { });
    settle();
    assertThatThrownBy(() -> bus.endpoint("a").request("silent", MessageType.QUESTION, Map.of(),
        Duration.ofMillis(200))).isInstanceOf(RequestTimeoutException.class)
        .hasMessageContaining("200 ms");
  }

  @Test
  void aThrowingResponderFailsTheRequestAtOnceAndIsDeadLettered() throws Exception {
    MessageBus responder = newBus();
    MessageBus requester = newBus();
    BlockingQueue<Delivery> dead = new LinkedBlockingQueue<>();
    requester.subscribe(requester.subjects().deadLetter(), dead::add);
    responder.subscribeToAgentMessages("flaky", d -> {
      throw new IllegalStateException("schema not ready");
    });
    settle();

    assertThatThrownBy(() -> requester.endpoint("a").request("flaky", MessageType.QUESTION, Map.of(),
        WAIT)).isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("schema not ready");
    Delivery letter = take(dead);
    assertThat(letter.headers().first(Headers.ERROR)).contains("schema not ready");
    assertThat(letter.headers().first(Headers.ORIGINAL_SUBJECT))
        .isEqualTo("orchestrator.agent.flaky.question");
    assertThat(responder.stats().handlerFailures()).isEqualTo(1);
    // counted once the dead letter is handed to the transport, which may deliver it first
    awaitCount(() -> responder.stats().deadLettered(), 1);
    assertThat(responder.stats().deadLettered()).isEqualTo(1);
  }

  @Test
  void aHandlerMayMakeRequestsItself() throws Exception {
    MessageBus bus = newBus();
    MessageBus other = newBus();
    other.subscribeToAgentMessages("schema-store", d ->
        d.reply(MessageType.RESOURCE_RESPONSE, Map.of("schema", "v1")));
    bus.subscribeToAgentMessages("architect-001", d -> {
      AgentMessage inner = bus.endpoint("architect-001").request("schema-store",
          MessageType.RESOURCE_REQUEST, Map.of(), WAIT);
      d.reply(MessageType.RESOURCE_RESPONSE, Map.of("via", inner.content().get("schema")));
    });
    settle();

    AgentMessage reply = other.endpoint("decomposer-001").request("architect-001",
        MessageType.RESOURCE_REQUEST, Map.of("resource", "task_model_schema"), WAIT);
    assertThat(reply.content()).containsEntry("via", "v1");
  }

  @Test
  void workQueueGivesEachItemToExactlyOneWorker() throws Exception {
    MessageBus coordinator = newBus();
    MessageBus workers = newBus();
    MessageBus moreWorkers = newBus();
    int items = 300;
    Map<Long, AtomicInteger> seen = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch done = new CountDownLatch(items);
    CountDownLatch allBusy = new CountDownLatch(3);
    Subscription queue = workers.createWorkQueue("test_execution", d -> {
      threads.add(Thread.currentThread().getName());
      allBusy.countDown();
      // three workers of one process run at once: all three get in before any finishes
      allBusy.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      seen.computeIfAbsent((Long) d.message().content().get("test"), k -> new AtomicInteger())
          .incrementAndGet();
      done.countDown();
    }, 3);
    moreWorkers.createWorkQueue("test_execution", d -> {
      seen.computeIfAbsent((Long) d.message().content().get("test"), k -> new AtomicInteger())
          .incrementAndGet();
      done.countDown();
    }, 1);
    settle();

    for (long i = 0; i < items; i++) {
      coordinator.endpoint("test-coordinator").publishToQueue("test_execution", MessageType.TASK_ASSIGNMENT, Map.of("test", i));
    }
    assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(allBusy.getCount()).isZero();
    assertThat(seen).hasSize(items);
    assertThat(seen.values()).allMatch(n -> n.get() == 1);
    assertThat(queue.subject()).isEqualTo("orchestrator.queue.test_execution");
    assertThat(threads).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void teamMessagesReachTheTeam() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    BlockingQueue<Delivery> parsers = new LinkedBlockingQueue<>();
    b.subscribeToTeam("parsers", parsers::add);
    settle();
    a.endpoint("architect-001").sendToTeam("parsers", MessageType.COORDINATION_REQUEST,
        Map.of("sync", "schema v2"));
    Delivery d = take(parsers);
    assertThat(d.subject()).isEqualTo("orchestrator.team.parsers.coordination_request");
    assertThat(d.message().content()).containsEntry("sync", "schema v2");
  }

  @Test
  void messagesOnOneSubscriptionArriveInOrder() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    int n = 2_000;
    List<Long> got = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(n);
    b.subscribeToAgentMessages("ordered", d -> {
      got.add((Long) d.message().content().get("seq"));
      done.countDown();
    });
    settle();
    for (long i = 0; i < n; i++) {
      a.endpoint("p").send("ordered", MessageType.STATUS_UPDATE, Map.of("seq", i));
    }
    assertThat(done.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).isEqualTo((long) i);
    }
  }

  @Test
  void aThrowingHandlerKeepsItsSubscriptionAndIsCountedAndDeadLettered() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    BlockingQueue<Delivery> dead = new LinkedBlockingQueue<>();
    a.subscribe(a.subjects().deadLetter(), dead::add);
    BlockingQueue<Long> handled = new LinkedBlockingQueue<>();
    b.subscribeToAgentMessages("worker", d -> {
      long seq = (Long) d.message().content().get("seq");
      if (seq == 1) {
        throw new IllegalArgumentException("cannot handle 1");
      }
      handled.add(seq);
    });
    settle();
    for (long i = 0; i < 3; i++) {
      a.endpoint("p").send("worker", MessageType.TASK_ASSIGNMENT, Map.of("seq", i));
    }
    assertThat(take(handled)).isEqualTo(0L);
    assertThat(take(handled)).isEqualTo(2L);
    Delivery letter = take(dead);
    assertThat(letter.message().content()).containsEntry("seq", 1L);
    assertThat(letter.headers().first(Headers.ERROR)).contains("cannot handle 1");
    assertThat(b.stats().handlerFailures()).isEqualTo(1);
    // the bus counts a message as handled after its handler returns, so the test may see the
    // handler's effect first
    awaitCount(() -> b.stats().handled(), 2);
    assertThat(b.stats().handled()).isEqualTo(2);
  }

  @Test
  void undecodableBytesAreCountedAndDeadLetteredWithTheOriginalPayload() throws Exception {
    MessageBus bus = newBus();
    MessageBus watcher = newBus();
    BlockingQueue<byte[]> dead = new LinkedBlockingQueue<>();
    BlockingQueue<String> errors = new LinkedBlockingQueue<>();
    // raw subscription: a dead letter is by definition not decodable
    Transport raw = newTransport();
    raw.subscribe(watcher.subjects().deadLetter(), null, m -> {
      dead.add(m.payload());
      errors.add(m.headers().first(Headers.ERROR) + " @ "
          + m.headers().first(Headers.ORIGINAL_SUBJECT));
    });
    AtomicInteger handlerCalls = new AtomicInteger();
    bus.subscribeToAgentMessages("victim", d -> handlerCalls.incrementAndGet());
    settle();
    raw.flush(WAIT);

    byte[] garbage = "{\"from_agent\": tru".getBytes(StandardCharsets.UTF_8);
    raw.publish("orchestrator.agent.victim.question", null, Headers.empty(), garbage);
    raw.publish("orchestrator.agent.victim.question", null,
        Headers.of(Headers.CONTENT_TYPE, "application/x-unheard-of"), new byte[] {1, 2, 3});
    raw.publish("orchestrator.agent.victim.question", null, Headers.empty(),
        new byte[] {7, 0, (byte) 0xfe});

    assertThat(take(dead)).isEqualTo(garbage);
    assertThat(take(errors)).startsWith("decode failed")
        .endsWith("@ orchestrator.agent.victim.question");
    assertThat(take(dead)).containsExactly(1, 2, 3);
    assertThat(take(errors)).contains("application/x-unheard-of");
    assertThat(take(dead)).containsExactly(7, 0, (byte) 0xfe);
    String binaryError = take(errors);
    assertThat(binaryError).contains("without a Content-Type header", "binary", "0x07");
    if (codec().contentType().equals(MessageBus.DEFAULT_CONTENT_TYPE)) {
      // a bus that recognizes no binary codec points at the likely one
      assertThat(binaryError).contains("register ProtobufCodec");
    }
    assertThat(bus.stats().decodeFailures()).isEqualTo(3);
    awaitCount(() -> bus.stats().deadLettered(), 3);
    assertThat(bus.stats().deadLettered()).isEqualTo(3);
    assertThat(handlerCalls).hasValue(0);
    raw.close();
  }

  @Test
  void typesFromNewerPeersAreDeliveredNotDropped() throws Exception {
    MessageBus newer = newBus();
    MessageBus older = newBus();
    BlockingQueue<AgentMessage> got = new LinkedBlockingQueue<>();
    older.subscribe(older.subjects().allBroadcasts(), d -> got.add(d.message()));
    settle();
    MessageType future = MessageType.of("capability_announcement");
    newer.endpoint("agent-from-2027").broadcast(future, Map.of("capabilities", List.of("vision")));
    AgentMessage m = take(got);
    assertThat(m.messageType().isKnown()).isFalse();
    assertThat(m.messageType().wireName()).isEqualTo("capability_announcement");
    assertThat(m.content()).containsEntry("capabilities", List.of("vision"));
  }

  @Test
  void interceptorsSeeEveryPublishAndWrapEveryDelivery() throws Exception {
    List<String> trail = Collections.synchronizedList(new ArrayList<>());
    MessageInterceptor tracing = new MessageInterceptor() {
      @Override
      public Headers beforePublish(String subject, AgentMessage m, Headers h, byte[] payload) {
        return h.toBuilder().set("traceparent", "00-trace-" + m.fromAgent()).build();
      }

      @Override
      public void aroundDelivery(Delivery d, Chain next) throws Exception {
        trail.add("before " + d.headers().first("traceparent"));
        next.proceed(d);
        trail.add("after");
      }
    };
    MessageBus a = newBus(MessageBus.builder().addInterceptor(tracing));
    MessageBus b = newBus(MessageBus.builder().addInterceptor(tracing));
    CountDownLatch handled = new CountDownLatch(1);
    b.subscribeToAgentMessages("traced", d -> {
      trail.add("handler");
      handled.countDown();
    });
    settle();
    a.endpoint("origin").send("traced", MessageType.QUESTION, Map.of());
    assertThat(handled.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    b.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(trail).containsExactly("before 00-trace-origin", "handler", "after");
  }

  @Test
  void namespacesDoNotSeeEachOther() throws Exception {
    MessageBus acme = newBus(MessageBus.builder().namespace("acme"));
    MessageBus other = newBus();
    BlockingQueue<AgentMessage> acmeGot = new LinkedBlockingQueue<>();
    BlockingQueue<AgentMessage> otherGot = new LinkedBlockingQueue<>();
    acme.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> acmeGot.add(d.message()));
    other.subscribeToBroadcasts(MessageType.HEARTBEAT, d -> otherGot.add(d.message()));
    settle();
    other.endpoint("o").broadcast(MessageType.HEARTBEAT, Map.of());
    acme.endpoint("a").broadcast(MessageType.HEARTBEAT, Map.of());
    assertThat(take(acmeGot).fromAgent()).isEqualTo("a");
    assertThat(take(otherGot).fromAgent()).isEqualTo("o");
    // each saw exactly one; the other namespace's publish went elsewhere
    settle();
    assertThat(acmeGot).isEmpty();
    assertThat(otherGot).isEmpty();
  }

  @Test
  void aClosedBusRefusesWork() {
    MessageBus bus = newBus();
    bus.close();
    bus.close(); // idempotent
    assertThat(bus.isClosed()).isTrue();
    // a programming error, as on a closed java.nio channel: IllegalStateException, never a
    // retriable transport failure
    AgentEndpoint a = bus.endpoint("a");
    assertThatThrownBy(() -> a.broadcast(MessageType.HEARTBEAT, Map.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    assertThatThrownBy(() -> a.send("b", MessageType.QUESTION, Map.of()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.request("b", MessageType.QUESTION, Map.of(), WAIT))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.requestAsync("b", MessageType.QUESTION, Map.of(), WAIT))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> a.publishToQueue("q", MessageType.TASK_ASSIGNMENT, Map.of()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bus.subscribeToAgentMessages("a", d -> { }))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bus.createWorkQueue("q", d -> { }, 1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> bus.flush(WAIT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void drainLetsInFlightHandlersFinish() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    CountDownLatch inHandler = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Long> finished = Collections.synchronizedList(new ArrayList<>());
    b.subscribeToAgentMessages("slow", d -> {
      inHandler.countDown();
      release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      finished.add((Long) d.message().content().get("seq"));
    });
    settle();
    a.endpoint("p").send("slow", MessageType.TASK_ASSIGNMENT, Map.of("seq", 1L));
    a.endpoint("p").send("slow", MessageType.TASK_ASSIGNMENT, Map.of("seq", 2L));
    a.flush(WAIT);
    assertThat(inHandler.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

    CompletableFuture<Void> drained = b.drain(WAIT);
    assertThat(drained).isNotDone();
    release.countDown();
    drained.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(finished).containsExactly(1L, 2L);
  }

  // ------------------------------------------------------------------ failure paths

  @Test
  void closingABusEndsTheRequestsWaitingOnItPromptly() throws Exception {
    MessageBus responder = newBus();
    MessageBus requester = newBus();
    CountDownLatch received = new CountDownLatch(3);
    // takes each request and never replies: the requests stay in flight until the bus closes
    responder.subscribeToAgentMessages("silent", d -> received.countDown());
    settle();
    Duration longer = WAIT.multipliedBy(6); // the requests must not end by timing out
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      AgentEndpoint a = requester.endpoint("a");
      List<CompletableFuture<AgentMessage>> waiting = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        waiting.add(CompletableFuture.supplyAsync(
            () -> a.request("silent", MessageType.QUESTION, Map.of(), longer), callers));
      }
      waiting.add(a.requestAsync("silent", MessageType.QUESTION, Map.of(), longer));
      // all three reached the responder: all three wait for a reply
      assertThat(received.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

      requester.close();

      for (CompletableFuture<AgentMessage> f : waiting) {
        Throwable failure = assertTimeoutPreemptively(WAIT, () -> failureOf(f),
            "a request still waits after its bus was closed");
        assertThat(failure).isInstanceOf(AgentBusException.class)
            .hasMessageContaining("closed");
      }
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void replyingToAMessageThatIsNotARequestIsRefused() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    BlockingQueue<Throwable> refused = new LinkedBlockingQueue<>();
    BlockingQueue<Boolean> wasRequest = new LinkedBlockingQueue<>();
    b.subscribeToAgentMessages("told", d -> {
      wasRequest.add(d.isRequest());
      try {
        d.reply(MessageType.ANSWER, Map.of());
      } catch (IllegalStateException e) {
        refused.add(e);
      }
    });
    settle();
    a.endpoint("a").send("told", MessageType.STATUS_UPDATE, Map.of());

    assertThat(take(wasRequest)).isFalse();
    assertThat(take(refused)).hasMessageContaining("orchestrator.agent.told.status_update")
        .hasMessageContaining("is not a request");
    assertThat(b.stats().handlerFailures()).isZero();
  }

  @Test
  void replyingAsTheAddresseeToARequestWithoutOneIsRefused() throws Exception {
    MessageBus a = newBus();
    MessageBus b = newBus();
    String subject = b.subjects().queue("questions");
    BlockingQueue<Throwable> refused = new LinkedBlockingQueue<>();
    b.subscribe(subject, d -> {
      try {
        d.reply(MessageType.ANSWER, Map.of("as", "nobody"));
      } catch (IllegalStateException e) {
        refused.add(e);
        d.reply("helper", MessageType.ANSWER, Map.of("as", "helper"));
      }
    });
    settle();
    AgentMessage question = AgentMessage.builder().fromAgent("a")
        .messageType(MessageType.QUESTION).content(Map.of()).build();

    AgentMessage reply = a.requestAsync(subject, question, WAIT)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(take(refused)).hasMessageContaining("has no to_agent")
        .hasMessageContaining("reply(fromAgent, type, content)");
    assertThat(reply.fromAgent()).isEqualTo("helper");
    assertThat(reply.content()).containsEntry("as", "helper");
  }

  @Test
  void aSecondReplyToARequestIsNeverTakenForTheAnswerToALaterOne() throws Exception {
    MessageBus responder = newBus();
    MessageBus requester = newBus();
    CountDownLatch secondRepliesSent = new CountDownLatch(2);
    responder.subscribeToAgentMessages("echo", d -> {
      Object n = d.message().content().get("n");
      d.reply(MessageType.ANSWER, Map.of("n", n, "reply", "first"));
      d.reply(MessageType.ANSWER, Map.of("n", n, "reply", "second"));
      secondRepliesSent.countDown();
    });
    settle();

    for (long n = 1; n <= 2; n++) {
      AgentMessage reply = requester.endpoint("a").request("echo", MessageType.QUESTION, Map.of("n", n), WAIT);
      assertThat(reply.content()).as("reply to request %d", n)
          .isEqualTo(Map.of("n", n, "reply", "first"));
    }
    assertThat(secondRepliesSent.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(responder.stats().handlerFailures()).isZero();
  }

  @Test
  void anUndecodableReplyFailsTheCallerWithACodecException() throws Exception {
    MessageBus requester = newBus();
    Transport raw = newTransport();
    try {
      String subject = requester.subjects().direct("garbled", MessageType.QUESTION);
      raw.subscribe(subject, null, m -> raw.publish(Objects.requireNonNull(m.replyTo()), null,
          Headers.empty().with(Headers.CONTENT_TYPE, codec().contentType()),
          "\u0000 not a message".getBytes(StandardCharsets.UTF_8)));
      raw.flush(WAIT);

      assertThatThrownBy(() -> requester.endpoint("a").request("garbled", MessageType.QUESTION, Map.of(), WAIT))
          .isInstanceOf(CodecException.class).message().isNotBlank();
    } finally {
      raw.close();
    }
  }

  @Test
  void aMessageThatCannotBeEncodedFailsThePublishAndSendsNothing() throws Exception {
    MessageBus sender = newBus(new FailingEncoder(codec()));
    MessageBus listener = newBus();
    BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
    listener.subscribeToAgentMessages("listener", got::add);
    settle();

    assertThatThrownBy(() -> sender.endpoint("a").send("listener", MessageType.STATUS_UPDATE, Map.of("explode", true)))
        .isInstanceOf(CodecException.class).hasMessageContaining("cannot encode this one");
    sender.endpoint("a").send("listener", MessageType.STATUS_UPDATE, Map.of("n", 2));

    assertThat(take(got).message().content()).as("the first message that arrives")
        .containsEntry("n", 2L);
    assertThat(sender.stats().published()).isEqualTo(1);
  }

  @Test
  void aReplyThatCannotBeEncodedFailsTheRequestAtOnce() {
    MessageBus responder = newBus(new FailingEncoder(codec()));
    MessageBus requester = newBus();
    responder.subscribeToAgentMessages("clumsy", d ->
        d.reply(MessageType.ANSWER, Map.of("explode", true)));
    settle();

    assertThatThrownBy(() -> requester.endpoint("a").request("clumsy", MessageType.QUESTION, Map.of(), WAIT))
        .isInstanceOf(RemoteHandlerException.class)
        .hasMessageContaining("cannot encode this one");
    assertThat(responder.stats().handlerFailures()).isEqualTo(1);
  }

  @Test
  void aMessageLargerThanTheMaximumPayloadIsRefusedAndNothingIsSent() throws Exception {
    MessageBus sender = newBus();
    MessageBus listener = newBus();
    BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
    listener.subscribeToAgentMessages("listener", got::add);
    settle();
    long max = sender.maxPayload();
    String big = "x".repeat((int) max);

    assertThatThrownBy(() -> sender.endpoint("a").send("listener", MessageType.STATUS_UPDATE, Map.of("big", big)))
        .isInstanceOfSatisfying(PayloadTooLargeException.class, e -> {
          assertThat(e.size()).isGreaterThan(max);
          assertThat(e.maxPayload()).isEqualTo(max);
          assertThat(e).hasMessageContaining(e.size() + " bytes")
              .hasMessageContaining("maximum payload of " + max + " bytes")
              .hasMessageContaining("orchestrator.agent.listener.status_update");
        });
    sender.endpoint("a").send("listener", MessageType.STATUS_UPDATE, Map.of("n", 2));

    assertThat(take(got).message().content()).as("the first message that arrives")
        .containsEntry("n", 2L);
    assertThat(sender.stats().published()).isEqualTo(1);
  }

  /** The completion exception of {@code f}, unwrapped; fails if {@code f} succeeds. */
  private static Throwable failureOf(CompletableFuture<?> f) throws InterruptedException {
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable t = e.getCause();
      return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    } catch (CancellationException e) {
      return e;
    }
    throw new AssertionError("completed normally: " + f);
  }

  /** A codec that refuses to encode a message whose content has the key "explode". */
  private static final class FailingEncoder implements Codec {
    private final Codec delegate;

    FailingEncoder(Codec delegate) {
      this.delegate = delegate;
    }

    @Override
    public String contentType() {
      return delegate.contentType();
    }

    @Override
    public List<String> acceptedContentTypes() {
      return delegate.acceptedContentTypes();
    }

    @Override
    public boolean recognizes(byte[] payload) {
      return delegate.recognizes(payload);
    }

    @Override
    public byte[] encode(AgentMessage message) {
      if (message.content().containsKey("explode")) {
        throw new CodecException("cannot encode this one: " + message.messageType());
      }
      return delegate.encode(message);
    }

    @Override
    public AgentMessage decode(byte[] bytes) {
      return delegate.decode(bytes);
    }
  }

  /** Waits, within {@link #WAIT}, for a counter that is updated on another thread. */
  private static void awaitCount(java.util.function.LongSupplier counter, long expected) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (counter.getAsLong() < expected && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static <T> T take(BlockingQueue<T> queue) throws InterruptedException {
    T t = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(t).as("nothing arrived within %s", WAIT).isNotNull();
    return t;
  }
}
