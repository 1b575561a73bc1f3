package io.agentbus.agent;

import io.agentbus.Agent;
import io.agentbus.TransportException;
import io.agentbus.spi.ConnectionEvent;
import io.agentbus.spi.ConnectionListener;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a running agent's connection says about whether it can serve. A lost connection or a
 * refusal of its credentials at a reconnect makes it not serving (the refusal is logged once per
 * episode, at ERROR); a reconnect makes it serve again. A connection closed for good (the server
 * refused its credentials twice in a row, reconnects ran out, the bus was closed under it) fails
 * the agent with the reason, so it never stays RUNNING while deaf. Thread-safe.
 */
final class ConnectionWatch implements ConnectionListener {
  private static final Logger log = LoggerFactory.getLogger(AbstractAgent.class);

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
        log.error("Agent '{}' is not serving: {}. It serves again as soon as the server "
            + "accepts its credentials", agentId, event.detail());
        break;
      case CONNECTED:
      case RECONNECTED:
        String was = notServing;
        notServing = null;
        if (was != null && running.getAsBoolean()) {
          log.info("Agent '{}' serves again ({})", agentId, event.detail());
        }
        break;
      case CLOSED:
        notServing = "its connection to the message server closed for good (" + event.detail()
            + ")";
        if (running.getAsBoolean()) {
          log.error("Agent '{}' stops serving: its connection to the message server closed for "
              + "good ({})", agentId, event.detail());
          fail.accept(new TransportException("Agent '" + agentId + "' cannot serve: its "
              + "connection to the message server closed for good (" + event.detail() + ")"));
        }
        break;
      default:
        break;
    }
  }
}
