package io.agentbus;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One agent's way onto a {@link MessageBus}: every message sent through it is from {@link
 * #agentId()}, so a call names only the receiver, and a sender and a receiver cannot be swapped.
 *
 * <pre>{@code
 * AgentEndpoint parser = bus.endpoint("parser-dev-001");
 * AgentMessage reply = parser.request("architect-001", MessageType.RESOURCE_REQUEST,
 *     Map.of("resource", "task_model"), Duration.ofSeconds(10));
 * parser.broadcast(MessageType.STATUS_UPDATE, Map.of("status", "working"));
 * }</pre>
 *
 * <p>Cheap to create and thread-safe: it holds nothing but the bus and the id. Every method
 * throws {@link IllegalStateException} once the bus is closed, and {@link
 * InvalidSubjectException} for an id or name that is not a subject token.
 */
public final class AgentEndpoint {
  private final MessageBus bus;
  private final String agentId;
  private final Subjects subjects;

  AgentEndpoint(MessageBus bus, String agentId) {
    this.bus = bus;
    this.agentId = Subjects.requireToken("agent id", agentId);
    this.subjects = bus.subjects();
  }

  /** The sender of everything published through this endpoint. */
  public String agentId() {
    return agentId;
  }

  /** Broadcasts to every agent on {@code <ns>.broadcast.<type>}. */
  public void broadcast(MessageType type, Map<String, ? extends @Nullable Object> content) {
    bus.publishTo(subjects.broadcast(type), bus.message(agentId, null, type, content, null));
  }

  /** Sends to one agent on {@code <ns>.agent.<toAgent>.<type>}. */
  public void send(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus.publishTo(subjects.direct(toAgent, type),
        bus.message(agentId, toAgent, type, content, null));
  }

  /** Sends to every member of a team on {@code <ns>.team.<teamId>.<type>}. */
  public void sendToTeam(String teamId, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus.publishTo(subjects.team(teamId, type), bus.message(agentId, null, type, content, null));
  }

  /**
   * Gives a work item to exactly one worker of the queue {@code <ns>.queue.<queueName>}: on an
   * at-most-once queue once it is handed to the transport, on a durable queue once its stream
   * stored it under a fresh message id. {@link MessageBus#publishToQueue(String, AgentMessage,
   * String)} takes an id of the caller's instead, to retry without storing twice.
   *
   * @return the receipt
   * @throws TransportException as {@link MessageBus#publishToQueue(String, AgentMessage, String)}
   */
  public QueueReceipt publishToQueue(String queueName, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return bus.publishToQueue(queueName, bus.message(agentId, null, type, content, null));
  }

  /**
   * Sends a request to {@code toAgent} on its direct subject and waits for the reply.
   *
   * @throws NoRespondersException at once, if no agent subscribes to that subject
   * @throws RequestTimeoutException if no reply came within {@code timeout}
   * @throws RemoteHandlerException if the responder's handler threw
   * @throws CodecException if the reply could not be decoded
   */
  public AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus.request(subjects.direct(toAgent, type), requestMessage(toAgent, type, content),
        timeout);
  }

  /** {@link #request(String, MessageType, Map, Duration)} with the bus's default timeout. */
  public AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return request(toAgent, type, content, bus.defaultRequestTimeout());
  }

  /**
   * Sends a request and completes with the reply, or exceptionally with the exceptions of {@link
   * #request(String, MessageType, Map, Duration)}. Cancelling the future abandons the request and
   * releases its inbox.
   */
  public CompletableFuture<AgentMessage> requestAsync(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus.requestAsyncTo(subjects.direct(toAgent, type),
        requestMessage(toAgent, type, content), timeout);
  }

  private AgentMessage requestMessage(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return bus.message(agentId, toAgent, type, content,
        CorrelationIds.next(agentId, bus.scheduler().now()));
  }

  @Override
  public String toString() {
    return "AgentEndpoint{" + agentId + " on " + bus + "}";
  }
}
