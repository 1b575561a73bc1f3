package io.agentbus.examples;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.Handlers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code architect-001}: owns the Task model and answers resource requests for it. */
final class Architect extends DemoAgent {
  static final String ID = "architect-001";

  /** The seed's answer, field for field. */
  static final Map<String, Object> TASK_MODEL = ordered(
      "resource", "task_model",
      "status", "ready",
      "location", "src/models/task.py",
      "api", ordered(
          "class", "Task",
          "fields", List.of("goal", "constraints", "context", "task_type"),
          "methods", List.of("to_dict", "from_dict")));

  Architect(AgentContext context, FlowLog flow) {
    super(ID, context, flow);
  }

  @Override
  protected void configure(Handlers handlers) {
    handlers.onRequest(MessageType.RESOURCE_REQUEST, MessageType.RESOURCE_RESPONSE,
        this::answer);
  }

  private Map<String, Object> answer(AgentMessage request) {
    Object resource = request.content().get("resource");
    Map<String, Object> reply = "task_model".equals(resource) ? TASK_MODEL
        : ordered("resource", String.valueOf(resource), "status", "unknown");
    step("-> " + request.fromAgent() + "  resource_response " + FlowLog.json(reply));
    return reply;
  }

  /** A map that keeps the order of its keys, so printed and sent JSON reads like the seed's. */
  static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }
}
