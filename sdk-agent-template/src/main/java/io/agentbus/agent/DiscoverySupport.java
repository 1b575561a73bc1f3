package io.agentbus.agent;

import io.agentbus.AgentBusException;
import io.agentbus.MessageBus;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.discovery.AgentInfo;
import io.agentbus.agent.discovery.AgentService;
import io.agentbus.agent.discovery.DuplicateIdPolicy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the template does for discovery, kept out of {@link AbstractAgent}: refuses (or warns of) a
 * duplicate id before the agent subscribes, describes the agent's handlers as a micro service,
 * and times its handlers for the service's stats.
 */
final class DiscoverySupport {
  private static final Logger log = LoggerFactory.getLogger(DiscoverySupport.class);

  private DiscoverySupport() {}

  /**
   * Asks {@code $SRV.PING.<id>}: answered at once with "no responders" when the id is free.
   *
   * @throws AgentBusException under {@link DuplicateIdPolicy#REFUSE} if another agent has the id
   */
  static void checkDuplicate(String id, AgentContext context) {
    Optional<AgentInfo> other;
    try {
      other = AgentDirectory.of(context.bus()).pingFirst(id, context.drainTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AgentBusException("Agent '" + id + "': interrupted while checking that its id "
          + "is not taken", e);
    }
    if (other.isEmpty()) {
      return;
    }
    String message = "Agent id '" + id + "' is already taken by a live agent (instance "
        + other.get().instanceId() + ", version " + other.get().version()
        + ", answering $SRV.PING." + id + " on " + context.bus().transport()
        + "); two agents with one id would both handle every message addressed to it. Give each "
        + "agent its own id, or stop the other instance";
    if (context.duplicateIds() == DuplicateIdPolicy.REFUSE) {
      throw new AgentBusException(message + " (agentbus.duplicate-ids=refuse)");
    }
    log.error("{} (agentbus.duplicate-ids=warn: starting anyway)", message);
  }

  /** Starts the agent's micro service, describing what {@code handlers} declared. */
  static AgentService start(AbstractAgent agent, String id, Handlers handlers) {
    MessageBus bus = agent.context().bus();
    AgentService.Builder b = AgentService.builder(bus, id)
        .version(agent.version())
        .description(agent.description())
        .metadata(AgentService.TEAMS, String.join(",", agent.teams()))
        .metadata(AgentService.MESSAGE_TYPES, names(handlers.addressedTypes()))
        .metadata(AgentService.BROADCASTS, names(handlers.broadcasts().keySet()))
        .metadata(AgentService.QUEUES, String.join(",", handlers.queues().keySet()));
    for (MessageType t : handlers.addressedTypes()) {
      b.endpoint(t.wireName(), bus.subjects().direct(id, t), null,
          Map.of("kind", "direct", "message_type", t.wireName()));
    }
    for (MessageType t : handlers.broadcasts().keySet()) {
      b.endpoint(broadcastEndpoint(t), bus.subjects().broadcast(t), null,
          Map.of("kind", "broadcast", "message_type", t.wireName()));
    }
    for (String q : handlers.queues().keySet()) {
      b.endpoint(queueEndpoint(q), bus.subjects().queue(q), q, Map.of("kind", "queue"));
    }
    return b.start();
  }

  static String broadcastEndpoint(MessageType t) {
    return "broadcast-" + t.wireName();
  }

  static String queueEndpoint(String queue) {
    return "queue-" + queue;
  }

  /** {@code handler}, timed into {@code service}'s stats under {@code endpoint}. */
  static MessageHandler timed(AgentService service, String endpoint, MessageHandler handler) {
    return d -> run(service, endpoint, handler, d);
  }

  static void run(AgentService service, String endpoint, MessageHandler handler,
      io.agentbus.Delivery d) throws Exception {
    long start = System.nanoTime();
    try {
      handler.onMessage(d);
    } catch (Exception | Error e) {
      service.record(endpoint, System.nanoTime() - start, e);
      throw e;
    }
    service.record(endpoint, System.nanoTime() - start, null);
  }

  private static String names(Set<MessageType> types) {
    return types.stream().map(MessageType::wireName).collect(Collectors.joining(","));
  }
}
