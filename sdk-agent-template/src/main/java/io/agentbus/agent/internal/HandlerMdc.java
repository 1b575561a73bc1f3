package io.agentbus.agent.internal;

import io.agentbus.MessageHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Puts the handling agent's id and the message's correlation id in the SLF4J {@link MDC} while a
 * handler runs, so that log lines can be told apart by agent and conversation (a tracing
 * interceptor adds {@code trace_id} and {@code span_id} around it). Each key is restored to what
 * it was before, so that nested handling (a request answered in the same thread) leaves the outer
 * values in place.
 */
public final class HandlerMdc {
  /** The MDC key of the agent whose handler runs. */
  public static final String AGENT_ID = "agent_id";
  /** The MDC key of the handled message's correlation id (absent when it has none). */
  public static final String CORRELATION_ID = "correlation_id";

  private HandlerMdc() {}

  /** {@code handler}, run with {@code agentId} and the message's correlation id in the MDC. */
  public static MessageHandler wrap(String agentId, MessageHandler handler) {
    return d -> {
      @Nullable String agentBefore = MDC.get(AGENT_ID);
      @Nullable String correlationBefore = MDC.get(CORRELATION_ID);
      MDC.put(AGENT_ID, agentId);
      String correlationId = d.message().correlationId();
      if (correlationId != null) {
        MDC.put(CORRELATION_ID, correlationId);
      } else {
        MDC.remove(CORRELATION_ID);
      }
      try {
        handler.onMessage(d);
      } finally {
        restore(AGENT_ID, agentBefore);
        restore(CORRELATION_ID, correlationBefore);
      }
    };
  }

  private static void restore(String key, @Nullable String before) {
    if (before == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, before);
    }
  }
}
