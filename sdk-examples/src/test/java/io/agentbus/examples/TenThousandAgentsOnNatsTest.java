package io.agentbus.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.agentbus.Agent;
import io.agentbus.AgentMessage;
import io.agentbus.MessageBus;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.test.nats.NatsServer;
import io.agentbus.test.nats.NatsServerExtension;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ten thousand agents of the template in one JVM on one NATS transport: the threads the process
 * gained (AgentBus's and jnats', counted by comparing every live thread with those before the
 * transport existed) stay at most 64 while they run and answer requests, and closing ends them
 * all. Times are printed, not asserted (they belong to the benchmarks).
 */
@ExtendWith(NatsServerExtension.class)
class TenThousandAgentsOnNatsTest {
  private static final int AGENTS = 10_000;
  private static final int MAX_THREADS = 64;

  /** A template agent: one request handler and one plain handler, idle otherwise. */
  private static final class TemplateAgent extends AbstractAgent {
    TemplateAgent(String id, AgentContext context) {
      super(id, context);
    }

    @Override
    protected void configure(Handlers h) {
      h.onRequest(MessageType.QUESTION, MessageType.ANSWER,
          request -> Map.of("answer", id()));
      h.on(MessageType.STATUS_UPDATE, d -> { });
    }
  }

  @Test
  void tenThousandAgentsUseAtMost64ThreadsAndCloseCleanly(NatsServer server) throws Exception {
    Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
    NatsTransport transport = NatsTransport.connect(NatsTransportConfig.builder()
        .servers(server.url()).connectionName("scale").build());
    MessageBus bus = MessageBus.builder().transport(transport).codec(JsonCodec.create()).build();
    AgentContext context = AgentContext.builder(bus).heartbeatInterval(Duration.ofSeconds(30))
        .drainTimeout(Duration.ofSeconds(5)).build();
    List<Agent> agents = new ArrayList<>(AGENTS);
    long t0 = System.nanoTime();
    int batch = 500; // starts run on the template's shared start/stop threads
    for (int i = 0; i < AGENTS; i += batch) {
      List<Agent> starting = new ArrayList<>();
      for (int j = i; j < Math.min(AGENTS, i + batch); j++) {
        starting.add(new TemplateAgent(String.format("scale-%05d", j), context).startAsync());
      }
      for (Agent a : starting) {
        a.awaitRunning(Duration.ofSeconds(60));
      }
      agents.addAll(starting);
    }
    long startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    transport.flush(Duration.ofSeconds(30));

    // every agent is subscribed: requests to a sample of them are answered by the right one
    Random random = new Random(21);
    List<CompletableFuture<AgentMessage>> answers = new ArrayList<>();
    List<String> asked = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = String.format("scale-%05d", random.nextInt(AGENTS));
      asked.add(id);
      answers.add(bus.endpoint("asker").requestAsync(id, MessageType.QUESTION,
          Map.of("q", "who"), Duration.ofSeconds(30)));
    }
    for (int i = 0; i < answers.size(); i++) {
      assertThat(answers.get(i).get(60, TimeUnit.SECONDS).content())
          .containsEntry("answer", asked.get(i));
    }

    // once the short-lived start threads are gone, what is left is what running costs
    await().atMost(Duration.ofSeconds(60)).until(() -> gained(before).size() <= MAX_THREADS);
    List<Thread> running = gained(before);
    System.out.println("SCALE agents=" + AGENTS + " transport=nats startMillis=" + startMillis
        + " threads=" + running.size() + " " + byPrefix(running));
    assertThat(running).as("threads gained with %d agents running", AGENTS)
        .hasSizeLessThanOrEqualTo(MAX_THREADS);

    long c0 = System.nanoTime();
    agents.forEach(Agent::stopAsync);
    for (Agent a : agents) {
      a.awaitTerminated(Duration.ofSeconds(60));
      assertThat(a.state()).isEqualTo(Agent.State.TERMINATED);
    }
    bus.close();
    long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c0);
    System.out.println("SCALE agents=" + AGENTS + " transport=nats closeMillis=" + closeMillis);
    assertThat(transport.stats().dropped()).isZero();
    assertThat(transport.stats().handlerFailures()).isZero();
    // JVM-wide threads stay: the wall-clock scheduler (one, started by the first bus) and the
    // JDK's CompletableFuture timeout thread
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(gained(before)).as("threads left after closing")
            .allMatch(t -> t.getName().equals("agentbus-scheduler")
                || t.getName().equals("CompletableFutureDelayScheduler")));
  }

  private static List<Thread> gained(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !before.contains(t) && t.isAlive())
        .filter(t -> !t.getName().startsWith("Attach Listener")
            && !t.getName().startsWith("awaitility"))
        .collect(Collectors.toList());
  }

  private static Map<String, Long> byPrefix(List<Thread> threads) {
    return threads.stream().collect(Collectors.groupingBy(
        t -> t.getName().replaceAll("[-:]?\\d+$", ""), TreeMap::new, Collectors.counting()));
  }
}
