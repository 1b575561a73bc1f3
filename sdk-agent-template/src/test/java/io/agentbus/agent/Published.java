package io.agentbus.agent;

import io.agentbus.AgentMessage;
import io.agentbus.Headers;
import io.agentbus.MessageType;
import io.agentbus.spi.MessageInterceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Records every message a bus publishes, synchronously on the publishing thread: after a virtual
 * scheduler's advance() returns, the heartbeats it triggered are already here.
 */
public final class Published implements MessageInterceptor {
  private final List<AgentMessage> messages = new ArrayList<>();

  @Override
  public Headers beforePublish(String subject, AgentMessage message, Headers headers,
      byte[] payload) {
    synchronized (messages) {
      messages.add(message);
    }
    return headers;
  }

  public List<AgentMessage> all() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  public List<AgentMessage> matching(Predicate<AgentMessage> p) {
    return all().stream().filter(p).toList();
  }

  public List<AgentMessage> from(String agent, MessageType type) {
    return matching(m -> m.fromAgent().equals(agent) && m.messageType().equals(type));
  }
}
