package ${package};

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.util.Modules;
import io.agentbus.Agent;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.guice.AgentBusModule;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs ${agentClassName}: reads the configuration (system properties, environment variables,
 * {@code agentbus.properties}), builds the Guice injector, starts the agent on the shared bus and
 * keeps it running until the JVM is asked to stop (Ctrl-C, SIGTERM); then the agent announces that
 * it goes offline, its handlers finish, and the bus closes.
 *
 * <pre>
 * mvn compile exec:java                                                     # in memory
 * AGENTBUS_TRANSPORT=nats NATS_URL=nats://127.0.0.1:4222 mvn compile exec:java   # on NATS
 * </pre>
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** How long the agent may take to subscribe and send its first heartbeat. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private Main() {}

  public static void main(String[] args) throws Exception {
    AgentBusConfig config = AgentBusConfig.load();
    Injector injector = injector(config);
    AgentHost host = start(injector);
    Agent agent = host.agents().get(0);
    log.info("{} is running on {} (namespace {}, codec {}); Ctrl-C stops it", agent.id(),
        config.transport().configName(), config.namespace(), config.codec().configName());

    CountDownLatch stopped = new CountDownLatch(1);
    agent.addListener((a, from, to, failure) -> {
      if (to.isTerminal()) {
        stopped.countDown();
      }
    });
    if (!agent.state().isTerminal()) {
      stopped.await();
    }
    log.info("{} is {}", agent.id(), agent.state());
  }

  /**
   * The injector for {@code config}: the transport and codec it names, the shared bus, the agent.
   * Tests pass modules that override bindings (a virtual clock, say).
   */
  static Injector injector(AgentBusConfig config, Module... overrides) {
    return Guice.createInjector(
        Modules.override(new AgentBusModule(config)).with(List.of(overrides)));
  }

  /** Starts the agent on the injector's host, which stops it and closes the bus on close(). */
  static AgentHost start(Injector injector) throws Exception {
    AgentHost host = injector.getInstance(AgentHost.class);
    try {
      host.start(START_TIMEOUT, injector.getInstance(${agentClassName}.class));
    } catch (Exception e) {
      host.close();
      throw e;
    }
    return host;
  }
}
