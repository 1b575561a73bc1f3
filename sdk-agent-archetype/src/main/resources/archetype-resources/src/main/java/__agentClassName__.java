package ${package};

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AbstractAgent;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import io.agentbus.agent.task.TaskContext;
import io.agentbus.agent.task.Tasks;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 *   <li>A task assigned to it (with the task API: {@code tasks.assign("${agentId}",
 *       Map.of("task", ..., "steps", 3))}) is done in steps on a thread of its own: it reports
 *       each step to the requester as progress ({@code status_update}, which also pushes the
 *       requester's deadline out), stops when the requester cancels, and ends with {@code
 *       task_complete} and its result.
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

  /** How long each step of a task takes in this example (on the bus's clock). */
  public static final Duration STEP = Duration.ofSeconds(1);

  private Tasks tasks;

  @Inject
  public ${agentClassName}(AgentContext context) {
    super(ID, context);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, this::lookUp);
    // task_assignment and the task's status_update messages go to work(...), through the task API
    tasks = closeOnStop(Tasks.builder(bus(), id()).handler(this::work).build());
    tasks.declare(handlers);
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

  /**
   * Does an assigned task in {@code "steps"} steps (3 unless the assignment says), reporting each
   * to the requester. Runs on a task thread of its own, so it may take as long as it needs. A
   * cancel from the requester makes {@link TaskContext#throwIfCanceled} throw and interrupts a
   * step that is waiting; either ends the task as canceled. What it returns is the {@code result}
   * of the {@code task_complete} the requester gets; what it throws fails the task.
   */
  Map<String, Object> work(TaskContext task) throws Exception {
    String name = String.valueOf(task.input().getOrDefault("task", "unnamed task"));
    int steps = task.input().get("steps") instanceof Number n ? n.intValue() : 3;
    if (steps < 1) {
      throw new IllegalArgumentException("'steps' must be at least 1, was " + steps);
    }
    log.info("{} assigned '{}' ({} steps)", task.requester(), name, steps);
    for (int step = 1; step <= steps; step++) {
      task.throwIfCanceled();
      CompletableFuture<Void> stepDone = startStep();
      task.progress(Map.of("task", name, "step", step, "of", steps)); // step n of m under way
      stepDone.get(); // a cancel interrupts this wait
    }
    return Map.of("task", name, "status", "done", "steps", steps);
  }

  /**
   * Starts one step of the work: a stand-in that is done after {@link #STEP} on the bus's clock,
   * so that tests run it in virtual time. Replace it with the agent's real work (run it here and
   * return a completed future, or start it and return its future).
   */
  private CompletableFuture<Void> startStep() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    bus().scheduler().schedule(STEP, () -> done.complete(null));
    return done;
  }

  /** The tasks this agent is working on now. */
  int runningTasks() {
    return tasks.runningTasks();
  }
}
