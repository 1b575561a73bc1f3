package io.agentbus;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One agent's way onto a {@link MessageBus}: every message sent through it is from {@link
 * #agentId()}, so a call names only the receiver and a sender and receiver cannot be swapped.
 *
 * <pre>{@code
 * AgentEndpoint parser = bus.endpoint("parser-dev-001");
 * AgentMessage reply = parser.request("architect-001", MessageType.RESOURCE_REQUEST,
 *     Map.of("resource", "task_model"), Duration.ofSeconds(10));
 * parser.broadcast(MessageType.STATUS_UPDATE, Map.of("status", "working"));
 * }</pre>
 *
 * <p>Cheap to create and thread-safe; it holds nothing but the bus and the id. Obtained from
 * {@link MessageBus#endpoint(String)}.
 */
public final class AgentEndpoint {
  private final MessageBus bus;
  private final String agentId;

  AgentEndpoint(MessageBus bus, String agentId) {
    this.bus = bus;
    this.agentId = Subjects.requireToken("agent id", agentId);
  }

  /** The sender of everything published through this endpoint. */
  public String agentId() {
    return agentId;
  }

  /** The bus this endpoint publishes on. */
  public MessageBus bus() {
    return bus;
  }

  /** Broadcasts to every agent on {@code <ns>.broadcast.<type>}. */
  public void broadcast(MessageType type, Map<String, ? extends @Nullable Object> content) {
    bus.broadcast(agentId, type, content);
  }

  /** Sends to one agent on {@code <ns>.agent.<toAgent>.<type>}. */
  public void send(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus.sendToAgent(agentId, toAgent, type, content);
  }

  /** Sends to every member of a team on {@code <ns>.team.<teamId>.<type>}. */
  public void sendToTeam(String teamId, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    bus.sendToTeam(agentId, teamId, type, content);
  }

  /**
   * Gives a work item to exactly one worker of the queue; see {@link
   * MessageBus#publishToQueue(String, AgentMessage, String)} for what durable queues add.
   *
   * @return the receipt: for a durable queue once the stream stored the item
   */
  public QueueReceipt publishToQueue(String queueName, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return bus.publishToQueue(queueName, bus.message(agentId, null, type, content, null),
        MessageBus.newMessageId());
  }

  /**
   * Sends a request to {@code toAgent} and waits for the reply.
   *
   * @throws NoRespondersException at once, if no agent subscribes to that subject
   * @throws RequestTimeoutException if no reply came within {@code timeout}
   * @throws RemoteHandlerException if the responder's handler threw
   * @throws CodecException if the reply could not be decoded
   */
  public AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus.request(agentId, toAgent, type, content, timeout);
  }

  /** {@link #request(String, MessageType, Map, Duration)} with the bus's default timeout. */
  public AgentMessage request(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content) {
    return bus.request(agentId, toAgent, type, content, bus.defaultRequestTimeout());
  }

  /**
   * Sends a request and completes with the reply, or exceptionally with the exceptions of {@link
   * #request(String, MessageType, Map, Duration)}. Cancelling the future abandons the request.
   */
  public CompletableFuture<AgentMessage> requestAsync(String toAgent, MessageType type,
      Map<String, ? extends @Nullable Object> content, Duration timeout) {
    return bus.requestAsync(agentId, toAgent, type, content, timeout);
  }

  @Override
  public String toString() {
    return "AgentEndpoint{" + agentId + " on " + bus + "}";
  }
}
