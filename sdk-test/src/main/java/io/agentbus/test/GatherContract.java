package io.agentbus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentbus.AgentMessage;
import io.agentbus.GatherOptions;
import io.agentbus.GatherResult;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link MessageBus#gather} promises on any transport: one request to many, replies gathered
 * until enough came, every expected agent answered, a quiet period passed or the deadline hit;
 * slow, failing and absent responders named in the result. The asking bus runs in virtual time
 * ({@link VirtualScheduler}); each responder has its own transport, as a separate process would.
 */
public abstract class GatherContract {
  /** A guard against hangs, not a performance bound. */
  protected static final Duration WAIT = Duration.ofSeconds(10);
  private static final Map<String, Object> QUESTION = Map.of("question", "Is Task model ready?");

  private final List<MessageBus> buses = Collections.synchronizedList(new ArrayList<>());
  private final List<CountDownLatch> releases = Collections.synchronizedList(new ArrayList<>());
  private final VirtualScheduler time = VirtualScheduler.create();

  /** A new transport connected to the same server as the others in this test. */
  protected abstract Transport newTransport();

  /** The codec the buses publish with. */
  protected abstract Codec codec();

  private MessageBus newBus(MessageBus.Builder b) {
    MessageBus bus = b.transport(newTransport()).codec(codec()).build();
    buses.add(bus);
    return bus;
  }

  @AfterEach
  void closeBuses() {
    releases.forEach(CountDownLatch::countDown);
    synchronized (buses) {
      buses.forEach(MessageBus::close);
      buses.clear();
    }
  }

  private MessageBus asker() {
    return newBus(MessageBus.builder().scheduler(time));
  }

  /** An agent answering coordination requests on the broadcast subject and its team's. */
  private void responder(String id, Behaviour behaviour) {
    MessageBus bus = newBus(MessageBus.builder());
    CountDownLatch release = new CountDownLatch(1);
    releases.add(release);
    io.agentbus.MessageHandler h = d -> {
      if (behaviour == Behaviour.FAIL) {
        throw new IllegalStateException(id + " is busy");
      }
      if (behaviour == Behaviour.SLOW) {
        release.await();
      }
      d.reply(id, MessageType.ANSWER, Map.of("ready", true, "agent", id));
    };
    bus.subscribeToBroadcasts(MessageType.COORDINATION_REQUEST, h);
    bus.subscribeToTeam("builders", h);
    bus.flush(WAIT);
  }

  private enum Behaviour { ANSWER, SLOW, FAIL }

  private static AgentMessage question(MessageBus bus) {
    return AgentMessage.builder().fromAgent("orchestrator")
        .messageType(MessageType.COORDINATION_REQUEST).content(QUESTION)
        .timestamp(Instant.now()).correlationId("orchestrator-1-1").build();
  }

  private static GatherResult get(CompletableFuture<GatherResult> f) throws Exception {
    return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void threeAgentsAnswerABroadcastAndGatheringEndsWhenEveryExpectedOneDid() throws Exception {
    responder("architect-001", Behaviour.ANSWER);
    responder("parser-dev-001", Behaviour.ANSWER);
    responder("decomposer-001", Behaviour.ANSWER);
    MessageBus bus = asker();

    GatherResult r = get(bus.gather(bus.subjects().broadcast(MessageType.COORDINATION_REQUEST),
        question(bus), GatherOptions.builder(Duration.ofSeconds(5))
            .expect(Set.of("architect-001", "parser-dev-001", "decomposer-001")).build()));

    assertThat(r.ending()).isEqualTo(GatherResult.Ending.ALL_EXPECTED);
    assertThat(r.respondents()).containsExactlyInAnyOrder("architect-001", "parser-dev-001",
        "decomposer-001");
    assertThat(r.missing()).isEmpty();
    assertThat(r.failures()).isEmpty();
    assertThat(r.elapsed()).isEqualTo(Duration.ZERO); // no virtual time passed
    assertThat(r.replies()).allSatisfy(m -> {
      assertThat(m.messageType()).isEqualTo(MessageType.ANSWER);
      assertThat(m.toAgent()).isEqualTo("orchestrator");
      assertThat(m.correlationId()).isEqualTo("orchestrator-1-1");
    });
  }

  @Test
  void gatheringEndsAfterNRepliesFromATeam() throws Exception {
    responder("a", Behaviour.ANSWER);
    responder("b", Behaviour.ANSWER);
    responder("c", Behaviour.ANSWER);
    MessageBus bus = asker();

    GatherResult r = get(bus.gather(bus.subjects().team("builders",
        MessageType.COORDINATION_REQUEST), question(bus),
        GatherOptions.builder(Duration.ofSeconds(5)).maxReplies(2).build()));

    assertThat(r.ending()).isEqualTo(GatherResult.Ending.ENOUGH_REPLIES);
    assertThat(r.replies()).hasSize(2);
  }

  @Test
  void slowFailingAndAbsentRespondersAreNamedAtTheDeadline() throws Exception {
    responder("fast", Behaviour.ANSWER);
    responder("failing", Behaviour.FAIL);
    responder("slow", Behaviour.SLOW);
    MessageBus bus = asker();
    BlockingQueue<GatherResult> progress = new LinkedBlockingQueue<>();

    CompletableFuture<GatherResult> f = bus.gather(
        bus.subjects().broadcast(MessageType.COORDINATION_REQUEST), question(bus),
        GatherOptions.builder(Duration.ofSeconds(5))
            .expect(Set.of("fast", "failing", "slow", "absent")).onProgress(progress::add)
            .build());
    // the fast answer and the failure, in either order
    GatherResult second = null;
    for (int i = 0; i < 2; i++) {
      second = progress.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(second).isNotNull();
    }
    assertThat(second.ending()).isEqualTo(GatherResult.Ending.IN_PROGRESS);
    time.advance(Duration.ofMillis(4999));
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));
    GatherResult r = get(f);

    assertThat(r.ending()).isEqualTo(GatherResult.Ending.DEADLINE);
    assertThat(r.elapsed()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.respondents()).containsExactly("fast");
    assertThat(r.failures()).containsExactly("IllegalStateException: failing is busy");
    assertThat(r.missing()).containsExactlyInAnyOrder("failing", "slow", "absent");
    releases.forEach(CountDownLatch::countDown); // the slow answer now comes too late
  }

  @Test
  void aQuietPeriodEndsGatheringAndStartsAgainWithEachReply() throws Exception {
    responder("fast", Behaviour.ANSWER);
    responder("slow", Behaviour.SLOW);
    MessageBus bus = asker();
    BlockingQueue<GatherResult> progress = new LinkedBlockingQueue<>();

    CompletableFuture<GatherResult> f = bus.gather(
        bus.subjects().broadcast(MessageType.COORDINATION_REQUEST), question(bus),
        GatherOptions.builder(Duration.ofSeconds(30)).quietPeriod(Duration.ofSeconds(2))
            .onProgress(progress::add).build());
    assertThat(progress.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    time.advance(Duration.ofMillis(1500));
    releases.forEach(CountDownLatch::countDown);
    assertThat(progress.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();
    time.advance(Duration.ofMillis(1999)); // quiet since the slow answer at 1.5 s: not yet 2 s
    assertThat(f).isNotDone();
    time.advance(Duration.ofMillis(1));
    GatherResult r = get(f);
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.QUIET);
    assertThat(r.respondents()).containsExactlyInAnyOrder("fast", "slow");
    assertThat(r.elapsed()).isEqualTo(Duration.ofMillis(3500));
  }

  @Test
  void nobodyListeningEndsAtTheQuietPeriodWithEveryExpectedAgentMissing() throws Exception {
    MessageBus bus = asker();
    CompletableFuture<GatherResult> f = bus.gather(bus.subjects().team("nobody",
        MessageType.COORDINATION_REQUEST), question(bus),
        GatherOptions.builder(Duration.ofSeconds(5)).quietPeriod(Duration.ofSeconds(1))
            .expect(Set.of("x", "y")).build());
    time.advance(Duration.ofSeconds(1));
    GatherResult r = get(f);
    assertThat(r.ending()).isEqualTo(GatherResult.Ending.QUIET);
    assertThat(r.replies()).isEmpty();
    assertThat(r.failures()).isEmpty();
    assertThat(r.missing()).containsExactlyInAnyOrder("x", "y");
  }

  @Test
  void badOptionsAndSubjectsAreRefused() {
    MessageBus bus = asker();
    assertThatThrownBy(() -> GatherOptions.builder(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deadline must be positive");
    assertThatThrownBy(() -> GatherOptions.builder(WAIT).maxReplies(-1))
        .hasMessageContaining("maxReplies must be 0 (no limit) or more, was -1");
    assertThatThrownBy(() -> bus.gather("orchestrator.broadcast.*", question(bus),
        GatherOptions.builder(WAIT).build()))
        .isInstanceOf(io.agentbus.InvalidSubjectException.class);
  }
}
