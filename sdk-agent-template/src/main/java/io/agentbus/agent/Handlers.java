package io.agentbus.agent;

import io.agentbus.AgentBusException;
import io.agentbus.AgentMessage;
import io.agentbus.Delivery;
import io.agentbus.MessageHandler;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an agent listens to, declared in {@link AbstractAgent#configure(Handlers)}: handlers per
 * message type for messages addressed to the agent (directly or through one of its teams), replies
 * to requests, broadcasts, and work queues; and, if it has one, its own {@linkplain #workLoop work
 * loop}. The template makes the subscriptions and runs the loop; the agent never subscribes itself.
 *
 * <pre>{@code
 * protected void configure(Handlers h) {
 *   h.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE, this::lookUp)
 *    .on(MessageType.QUESTION, d -> answer(d.message()))
 *    .onBroadcast(MessageType.TASK_COMPLETE, d -> maybeStart(d.message()))
 *    .onQueue("test_execution", 3, d -> runTest(d.message()))
 *    .workLoop(this::writeTheParser);
 * }
 * }</pre>
 *
 * <p>Each type, broadcast type, queue and the work loop can be declared once; declaring one twice
 * throws {@link IllegalArgumentException}, which fails the agent's start. Usable only during {@code configure};
 * afterwards every method throws {@link IllegalStateException}. Not thread-safe (it need not be).
 */
public final class Handlers {
  private static final Logger log = LoggerFactory.getLogger(Handlers.class);

  private final String agentId;
  private final Map<MessageType, MessageHandler> addressed = new LinkedHashMap<>();
  private final Map<MessageType, Reply> requests = new LinkedHashMap<>();
  private final Map<MessageType, MessageHandler> broadcasts = new LinkedHashMap<>();
  private final Map<String, Queue> queues = new LinkedHashMap<>();
  private @Nullable WorkLoop workLoop;
  private boolean frozen;

  Handlers(String agentId) {
    this.agentId = agentId;
  }

  /**
   * Handles messages of {@code type} addressed to this agent: on its direct subject ({@code
   * <ns>.agent.<id>.<type>}) or one of its teams' ({@code <ns>.team.<team>.<type>}). Use {@link
   * io.agentbus.Delivery#subject()} to tell them apart.
   */
  public Handlers on(MessageType type, MessageHandler handler) {
    checkOpen();
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    if (requests.containsKey(type) || addressed.putIfAbsent(type, handler) != null) {
      throw duplicate("a handler for " + type + " messages");
    }
    return this;
  }

  /**
   * Answers requests of {@code type} addressed to this agent with a {@code replyType} reply whose
   * content {@code handler} returns. A message of that type that is not a request (nobody waits
   * for the reply) is still handed to {@code handler}; its answer is then logged and dropped.
   */
  public Handlers onRequest(MessageType type, MessageType replyType, RequestHandler handler) {
    checkOpen();
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(replyType, "replyType");
    Objects.requireNonNull(handler, "handler");
    if (addressed.containsKey(type)
        || requests.putIfAbsent(type, new Reply(replyType, handler)) != null) {
      throw duplicate("a handler for " + type + " messages");
    }
    return this;
  }

  /**
   * Handles every broadcast of {@code type} ({@code <ns>.broadcast.<type>}), including this
   * agent's own.
   */
  public Handlers onBroadcast(MessageType type, MessageHandler handler) {
    checkOpen();
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    if (broadcasts.putIfAbsent(type, handler) != null) {
      throw duplicate("a handler for " + type + " broadcasts");
    }
    return this;
  }

  /**
   * Joins the work queue {@code queueName} with {@code workers} workers: each item published to
   * {@code <ns>.queue.<queueName>} reaches one worker of all the agents serving that queue.
   * Workers of one agent run in parallel, so {@code handler} must be thread-safe when {@code
   * workers > 1}.
   *
   * @throws IllegalArgumentException if {@code workers < 1} or the name is not a subject token
   */
  public Handlers onQueue(String queueName, int workers, MessageHandler handler) {
    checkOpen();
    Subjects.requireToken("queue name", queueName);
    Objects.requireNonNull(handler, "handler");
    if (workers < 1) {
      throw new IllegalArgumentException("Agent '" + agentId + "': queue '" + queueName
          + "' needs at least 1 worker, was " + workers);
    }
    if (queues.putIfAbsent(queueName, new Queue(workers, handler)) != null) {
      throw duplicate("the work queue '" + queueName + "'");
    }
    return this;
  }

  /**
   * Gives the agent a work loop of its own, run on its own thread once the agent is RUNNING and
   * interrupted when it stops; see {@link WorkLoop} for how it should end. Without one, the agent
   * only answers messages.
   */
  public Handlers workLoop(WorkLoop loop) {
    checkOpen();
    Objects.requireNonNull(loop, "loop");
    if (workLoop != null) {
      throw duplicate("a work loop");
    }
    workLoop = loop;
    return this;
  }

  private IllegalArgumentException duplicate(String what) {
    return new IllegalArgumentException("Agent '" + agentId + "' declares " + what
        + " twice; declare each once in configure(Handlers)");
  }

  private void checkOpen() {
    if (frozen) {
      throw new IllegalStateException("Agent '" + agentId
          + "': handlers can only be declared in configure(Handlers), while the agent starts");
    }
  }

  /**
   * Hands a message addressed to the agent to its handler: a request handler's answer goes back
   * as the reply; a type without handler goes to {@code unhandled}. Only once frozen.
   */
  void dispatch(Delivery d, MessageHandler unhandled) throws Exception {
    AgentMessage m = d.message();
    Reply reply = requests.get(m.messageType());
    if (reply != null) {
      Map<String, ? extends @Nullable Object> content = reply.handler().answer(m);
      if (content == null) {
        throw new AgentBusException("The request handler of agent '" + agentId + "' for "
            + m.messageType() + " returned null; return the reply's content (maybe empty)");
      }
      if (d.isRequest()) {
        d.reply(agentId, reply.replyType(), content);
      } else {
        log.warn("Agent '{}' answered a {} from {} that was not a request (nobody waits for a "
            + "reply on '{}'); the answer is dropped", agentId, m.messageType(), m.fromAgent(),
            d.subject());
      }
      return;
    }
    MessageHandler handler = addressed.get(m.messageType());
    (handler != null ? handler : unhandled).onMessage(d);
  }

  void freeze() {
    frozen = true;
  }

  /** The types handled when addressed to the agent: plain handlers and request handlers. */
  Set<MessageType> addressedTypes() {
    Set<MessageType> all = new LinkedHashSet<>(addressed.keySet());
    all.addAll(requests.keySet());
    return all;
  }

  Map<MessageType, MessageHandler> broadcasts() {
    return Collections.unmodifiableMap(broadcasts);
  }

  Map<String, Queue> queues() {
    return Collections.unmodifiableMap(queues);
  }

  @Nullable WorkLoop workLoop() {
    return workLoop;
  }

  record Reply(MessageType replyType, RequestHandler handler) {}

  record Queue(int workers, MessageHandler handler) {}
}
