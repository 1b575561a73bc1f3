package io.agentbus.examples;

import io.agentbus.agent.AgentContext;
import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * {@code orchestrator}: runs the {@link OrchestratorMonitor} and reports what it sees: agents
 * joining, dying, recovering, leaving; failed tasks and blockers.
 */
final class Orchestrator extends DemoAgent {
  static final String ID = "orchestrator";

  private final OrchestratorMonitor.Builder monitorBuilder;
  private final List<AgentEvent> events = new ArrayList<>(); // guarded by itself
  private final List<Waiter> waiters = new ArrayList<>(); // guarded by events
  private volatile @Nullable OrchestratorMonitor monitor;

  Orchestrator(AgentContext context, OrchestratorMonitor.Builder monitorBuilder, FlowLog flow) {
    super(ID, context, flow);
    this.monitorBuilder = monitorBuilder;
  }

  @Override
  protected void onStart() {
    OrchestratorMonitor m = closeOnStop(monitorBuilder
        .addListener(this::onEvent)
        .onTaskFailed(d -> step("task failed at " + d.message().fromAgent() + ": "
            + FlowLog.json(d.message().content())))
        .onBlocker(d -> step(d.message().fromAgent() + " is blocked: "
            + FlowLog.json(d.message().content())))
        .build()
        .start());
    monitor = m;
    step("watching heartbeats, status updates, failures and blockers (dead after "
        + m.deadAfter().toMillis() / 1000.0 + " s of silence)");
  }

  /** The agents the monitor believes alive now. */
  Set<String> aliveAgents() {
    OrchestratorMonitor m = monitor;
    return m == null ? Set.of() : m.aliveAgents();
  }

  /** Every event so far, in order. */
  List<AgentEvent> events() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** Completes with the first event of {@code kind} for {@code agentId}, past or future. */
  CompletableFuture<AgentEvent> event(AgentEvent.Kind kind, String agentId) {
    synchronized (events) {
      for (AgentEvent e : events) {
        if (e.kind() == kind && e.agentId().equals(agentId)) {
          return CompletableFuture.completedFuture(e);
        }
      }
      Waiter w = new Waiter(kind, agentId, new CompletableFuture<>());
      waiters.add(w);
      return w.future;
    }
  }

  private void onEvent(AgentEvent e) {
    String detail = switch (e.kind()) {
      case JOINED -> "joined";
      case DEAD -> "is DEAD: no sign of life for "
          + Duration.between(e.status().lastSeen(), e.at()).toMillis() / 1000.0 + " s";
      case RECOVERED -> "recovered";
      case LEFT -> "left (went offline)";
    };
    step(e.agentId() + " " + detail);
    List<Waiter> done = new ArrayList<>();
    synchronized (events) {
      events.add(e);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (w.kind == e.kind() && w.agentId.equals(e.agentId())) {
          done.add(w);
          it.remove();
        }
      }
    }
    done.forEach(w -> w.future.complete(e));
  }

  private record Waiter(AgentEvent.Kind kind, String agentId,
      CompletableFuture<AgentEvent> future) {}
}
