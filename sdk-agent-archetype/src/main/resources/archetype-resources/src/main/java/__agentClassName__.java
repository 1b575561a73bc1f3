package ${package};

import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import jakarta.inject.Inject;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@value #ID} agent. The template ({@link AbstractAgent}) subscribes it to its direct subject
 * {@code orchestrator.agent.${agentId}.*}, broadcasts its heartbeat every 30 s, and announces it
 * going offline when it stops; this class only says what it answers and what it does.
 *
 * <ul>
 *   <li>A {@code resource_request} for a resource it owns is answered with a {@code
 *       resource_response} (request/reply).
 *   <li>A {@code task_assignment} sent to it is done, and its completion broadcast as a {@code
 *       task_complete} for whoever waits on it.
 * </ul>
 *
 * Nothing here names a transport or a codec: {@code agentbus.properties} (or {@code
 * AGENTBUS_TRANSPORT=nats}) decides, and the same code runs in memory and on NATS.
 */
public final class ${agentClassName} extends AbstractAgent {
  private static final Logger log = LoggerFactory.getLogger(${agentClassName}.class);

  /** This agent's id on the bus. */
  public static final String ID = "${agentId}";

  /** The resource this agent owns and hands out on request. */
  public static final String RESOURCE = "${agentId}-api";

  @Inject
  public ${agentClassName}(AgentContext context) {
    super(ID, context);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers
        .onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, this::lookUp)
        .on(MessageType.TASK_ASSIGNMENT, this::work);
  }

  /** Answers a resource request; throwing makes the requester fail at once with the reason. */
  Map<String, Object> lookUp(AgentMessage request) {
    Object resource = request.content().get("resource");
    if (!RESOURCE.equals(resource)) {
      throw new IllegalArgumentException(ID + " does not own the resource '" + resource
          + "'; it owns '" + RESOURCE + "'");
    }
    log.info("{} asked for {}", request.fromAgent(), resource);
    return Map.of(
        "resource", RESOURCE,
        "status", "ready",
        "owner", ID);
  }

  /** Does an assigned task, then tells everyone it is complete. */
  void work(Delivery delivery) {
    AgentMessage assignment = delivery.message();
    Object task = assignment.content().getOrDefault("task", "unnamed task");
    log.info("{} assigned '{}'", assignment.fromAgent(), task);
    // ... the agent's real work goes here ...
    broadcast(MessageType.TASK_COMPLETE, Map.of(
        "task", String.valueOf(task),
        "assigned_by", assignment.fromAgent(),
        "status", "done"));
  }
}
