package io.agentbus.agent;

import io.agentbus.Agent;
import io.agentbus.TransportException;
import io.agentbus.agent.internal.RateLimitedLog;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running agent's connection says about whether it can serve. A lost connection or a
 * refusal of its credentials at a reconnect makes it not serving (the refusal is logged once per
 * episode, at ERROR, by one agent of the process per 10 s and the others at DEBUG); a reconnect
 * makes it serve again. A connection closed for good (the server
 * refused its credentials twice in a row, reconnects ran out, the bus was closed under it) fails
 * the agent with the reason, so it never stays RUNNING while deaf. Thread-safe.
 */
final class ConnectionWatch implements ConnectionListener {
  private static final Logger log = LoggerFactory.getLogger(AbstractAgent.class);
  private static final long LOG_PERIOD_SECONDS = 10;
  // a process of 10,000 agents on one connection: one line for all, not 10,000
  private static final RateLimitedLog REFUSED_LINES = lines();
  private static final RateLimitedLog BACK_LINES = lines();
  private static final RateLimitedLog CLOSED_LINES = lines();

  private final String agentId;
  private final BooleanSupplier running;
  private final Consumer<Throwable> fail;
  /** Why the connection cannot serve now; null while it can. */
  private volatile @Nullable String notServing;

  ConnectionWatch(String agentId, BooleanSupplier running, Consumer<Throwable> fail) {
    this.agentId = agentId;
    this.running = running;
    this.fail = fail;
  }

  /** The agent's health, given that its lifecycle state is {@code state}. */
  Agent.Health health(Agent.State state) {
    if (state != Agent.State.RUNNING) {
      return Agent.Health.notServing("the agent is " + state);
    }
    String reason = notServing;
    return reason == null ? Agent.Health.SERVING : Agent.Health.notServing(reason);
  }

  @Override
  public void onEvent(ConnectionEvent event) {
    switch (event.kind()) {
      case DISCONNECTED:
        // a refusal already noted stays the reason: it says more than "reconnecting"
        if (notServing == null) {
          notServing = "its connection to the message server is lost; reconnecting ("
              + event.detail() + ")";
        }
        break;
      case AUTHENTICATION_FAILED:
        notServing = event.detail();
        if (REFUSED_LINES.due()) {
          log.error("Agent '{}' is not serving: {}. It serves again as soon as the server "
              + "accepts its credentials (other agents of this process on the same connection "
              + "are not serving either; their lines are at DEBUG for {} s)", agentId,
              event.detail(), LOG_PERIOD_SECONDS);
        } else {
          log.debug("Agent '{}' is not serving: {}", agentId, event.detail());
        }
        break;
      case CONNECTED:
      case RECONNECTED:
        String was = notServing;
        notServing = null;
        if (was != null && running.getAsBoolean()) {
          if (BACK_LINES.due()) {
            log.info("Agent '{}' serves again ({})", agentId, event.detail());
          } else {
            log.debug("Agent '{}' serves again ({})", agentId, event.detail());
          }
        }
        break;
      case CLOSED:
        notServing = "its connection to the message server closed for good (" + event.detail()
            + ")";
        if (running.getAsBoolean()) {
          if (CLOSED_LINES.due()) {
            log.error("Agent '{}' stops serving: its connection to the message server closed "
                + "for good ({})", agentId, event.detail());
          } else {
            log.debug("Agent '{}' stops serving: its connection closed for good ({})", agentId,
                event.detail());
          }
          fail.accept(new TransportException("Agent '" + agentId + "' cannot serve: its "
              + "connection to the message server closed for good (" + event.detail() + ")"));
        }
        break;
      default:
        break;
    }
  }

  private static RateLimitedLog lines() {
    return new RateLimitedLog(log, Duration.ofSeconds(LOG_PERIOD_SECONDS));
  }
}
