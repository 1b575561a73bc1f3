package ${package};

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.util.Modules;
import io.agentbus.Agent;
import io.agentbus.AgentBusException;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.guice.AgentBusModule;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;

/**
 * Runs ${agentClassName} until the JVM is asked to stop (Ctrl-C, SIGTERM): then it announces that
 * it goes offline, its handlers finish, and the bus closes. Configuration comes from system
 * properties, environment variables and {@code agentbus.properties}.
 *
 * <pre>
 * mvn compile exec:java                                                     # in memory
 * AGENTBUS_TRANSPORT=nats NATS_URL=nats://127.0.0.1:4222 mvn compile exec:java   # on NATS
 * </pre>
 */
public final class Main {
  /** How long the agent may take to subscribe and send its first heartbeat. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    Agent agent;
    try {
      agent = start(injector(AgentBusConfig.load())).agents().get(0);
    } catch (AgentBusException | ProvisionException | TimeoutException | IllegalStateException e) {
      Throwable reason = e instanceof ProvisionException && e.getCause() != null ? e.getCause() : e;
      System.err.println(${agentClassName}.ID + " did not start: " + reason.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    agent.addListener((a, from, to, failure) -> {
      if (to.isTerminal()) {
        stopped.countDown();
      }
    });
    if (!agent.state().isTerminal()) {
      stopped.await();
    }
  }

  /** The injector for {@code config}; tests pass modules that override bindings (a clock, say). */
  static Injector injector(AgentBusConfig config, Module... overrides) {
    return Guice.createInjector(Modules.override(new AgentBusModule(config)).with(overrides));
  }

  /** Starts the agent on the injector's host, which stops it and closes the bus on close(). */
  static AgentHost start(Injector injector) throws TimeoutException {
    AgentHost host = injector.getInstance(AgentHost.class);
    try {
      host.start(START_TIMEOUT, injector.getInstance(${agentClassName}.class));
    } catch (TimeoutException | RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }
}
