package io.agentbus.agent;

import io.agentbus.AgentMessage;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Answers a request addressed to an agent: returns the content of the reply, which the template
 * sends back as the agent, with the request's correlation id. If it throws, the requester fails at
 * once with {@link io.agentbus.RemoteHandlerException} and the request is dead-lettered.
 *
 * <p>Calls for one agent are serial (one subscription); implementations may block, and may send
 * or make requests themselves.
 */
@FunctionalInterface
public interface RequestHandler {
  /** @return the reply's content, a JSON-like tree (see {@link AgentMessage}) */
  Map<String, ? extends @Nullable Object> answer(AgentMessage request) throws Exception;
}
