package io.agentbus.micrometer;

import io.agentbus.agent.monitor.AgentEvent;
import io.agentbus.agent.monitor.AgentStatus;
import io.agentbus.agent.monitor.Liveness;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Binds what an {@link OrchestratorMonitor} knows: the gauge {@code agentbus.agents} with tag
 * {@code liveness} = {@code alive}, {@code dead} or {@code offline} (how many agents it believes
 * are in each state), and the counter {@code agentbus.agent.events} with tag {@code event} =
 * {@code joined}, {@code dead}, {@code recovered} or {@code left} (its state changes). Needs
 * {@code sdk-agent-template} on the classpath. Thread-safe.
 */
public final class MonitorMeterBinder implements MeterBinder {
  private final OrchestratorMonitor monitor;
  private final Tags tags;

  /** @param tags extra tags on every meter */
  public MonitorMeterBinder(OrchestratorMonitor monitor, Iterable<Tag> tags) {
    this.monitor = Objects.requireNonNull(monitor, "monitor");
    this.tags = Tags.of(tags);
  }

  public MonitorMeterBinder(OrchestratorMonitor monitor) {
    this(monitor, Tags.empty());
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    for (Liveness l : Liveness.values()) {
      Gauge.builder("agentbus.agents", monitor,
              m -> m.agents().stream().map(AgentStatus::liveness).filter(l::equals).count())
          .description("Agents the orchestrator monitor believes are in each state")
          .tags(tags).tag("liveness", l.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
    Map<AgentEvent.Kind, Counter> events = new EnumMap<>(AgentEvent.Kind.class);
    for (AgentEvent.Kind k : AgentEvent.Kind.values()) {
      events.put(k, Counter.builder("agentbus.agent.events")
          .description("State changes the orchestrator monitor saw")
          .tags(tags).tag("event", k.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
    monitor.addListener(e -> events.get(e.kind()).increment());
  }
}
