package io.agentbus.benchmarks;

import io.agentbus.AgentMessage;
import io.agentbus.MessageType;
import io.agentbus.Subjects;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The messages the throughput and latency benchmarks send: the seed's status update, resource
 * request and resource response examples. Raw jnats carries exactly the bytes a codec makes of
 * them, so that the baseline moves the same payload as the bus.
 */
final class BenchMessages {
  static final Subjects SUBJECTS = Subjects.defaults();

  static final String PUBLISHER = "architect-001";
  static final String REQUESTER = "parser-dev-001";
  static final String RESPONDER = "architect-001";
  static final String QUEUE = "bench_workers";
  static final int QUEUE_WORKERS = 3;

  static final Map<String, Object> STATUS_CONTENT =
      Map.of("status", "completed", "component", "task_model");
  static final Map<String, Object> REQUEST_CONTENT =
      Map.of("resource", "task_model", "reason", "Need to implement TaskParser");
  static final Map<String, Object> RESPONSE_CONTENT = Map.of(
      "resource", "task_model",
      "status", "ready",
      "location", "src/models/task.py",
      "api", Map.of(
          "class", "Task",
          "fields", List.of("goal", "constraints", "context", "task_type"),
          "methods", List.of("to_dict", "from_dict")));

  /** Where pub/sub benchmarks publish: a broadcast, or the work queue for the queue group. */
  static final String BROADCAST_SUBJECT = SUBJECTS.broadcast(MessageType.STATUS_UPDATE);
  static final String QUEUE_SUBJECT = SUBJECTS.queue(QUEUE);
  static final String REQUEST_SUBJECT = SUBJECTS.direct(RESPONDER, MessageType.RESOURCE_REQUEST);

  private static final Instant AT = Instant.parse("2025-12-05T14:32:10.004Z");

  private BenchMessages() {}

  static AgentMessage statusUpdate() {
    return AgentMessage.builder().fromAgent(PUBLISHER).messageType(MessageType.STATUS_UPDATE)
        .content(STATUS_CONTENT).timestamp(AT).build();
  }

  static AgentMessage resourceRequest() {
    return AgentMessage.builder().fromAgent(REQUESTER).toAgent(RESPONDER)
        .messageType(MessageType.RESOURCE_REQUEST).content(REQUEST_CONTENT).timestamp(AT)
        .correlationId("parser-dev-001-1733409130004-1").build();
  }

  static AgentMessage resourceResponse() {
    return AgentMessage.builder().fromAgent(RESPONDER).toAgent(REQUESTER)
        .messageType(MessageType.RESOURCE_RESPONSE).content(RESPONSE_CONTENT).timestamp(AT)
        .correlationId("parser-dev-001-1733409130004-1").build();
  }

  /** The pub/sub subject for a fan-out parameter value. */
  static String pubSubSubject(String fanout) {
    switch (fanout) {
      case Fanout.ONE:
        return BROADCAST_SUBJECT;
      case Fanout.QUEUE3:
        return QUEUE_SUBJECT;
      default:
        throw new IllegalArgumentException("Unknown fanout '" + fanout + "'; expected "
            + Fanout.ONE + " or " + Fanout.QUEUE3);
    }
  }

  /** Values of the {@code fanout} benchmark parameter. */
  static final class Fanout {
    /** One publisher, one plain subscriber. */
    static final String ONE = "1to1";
    /** One publisher, a queue group of {@link #QUEUE_WORKERS} workers. */
    static final String QUEUE3 = "queue3";

    private Fanout() {}
  }
}
