package io.agentbus.guice;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.util.Modules;
import io.agentbus.Agent;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main method of an agent process, in one call:
 *
 * <pre>{@code
 * public static void main(String[] args) throws InterruptedException {
 *   AgentApplication.run(BillingAgent.class);
 * }
 * }</pre>
 *
 * <p>{@link #run} builds the injector ({@link AgentBusModule}), starts the agents on its {@link
 * AgentHost} and returns when they have all stopped: when the JVM is asked to stop (Ctrl-C,
 * SIGTERM) the host's shutdown hook stops them, announces that they go offline and drains the bus,
 * bounded by {@code agentbus.drain.timeout}. A process that cannot start prints one line saying
 * why (not a Guice stack trace) and exits with status 1. Tests use {@link #injector} and {@link
 * #start} to do the same with bindings overridden.
 */
public final class AgentApplication {
  private static final Logger log = LoggerFactory.getLogger(AgentApplication.class);
  /** How long the agents may take to subscribe and send their first heartbeat. */
  public static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final String GUICE_BYTECODE_GEN = "guice_bytecode_gen_option";

  private AgentApplication() {}

  /**
   * Runs {@code agents} with the configuration {@link AgentBusConfig#load()} reads (system
   * properties, environment variables, {@code agentbus.properties}) until they stop, as the class
   * Javadoc describes; invalid configuration is a failure to start like any other.
   */
  @SafeVarargs
  public static void run(Class<? extends Agent>... agents) throws InterruptedException {
    AgentBusConfig config;
    try {
      config = AgentBusConfig.loader().defaults(applicationDefaults(agents)).load();
    } catch (RuntimeException e) {
      exitBecause(agents, e);
      return;
    }
    run(config, agents);
  }

  /**
   * Runs {@code agents} until they stop, as the class Javadoc describes. On a failure to start,
   * prints {@code "<agents> did not start: <reason>"} to standard error and calls {@code
   * System.exit(1)}: meant for a {@code main} method.
   */
  @SafeVarargs
  public static void run(AgentBusConfig config, Class<? extends Agent>... agents)
      throws InterruptedException {
    AgentHost host;
    try {
      host = start(injector(config), agents);
    } catch (RuntimeException | TimeoutException e) {
      exitBecause(agents, e);
      return;
    }
    log.info("{} running on {} (namespace {}, codec {}); Ctrl-C stops {}", host.agents().stream()
        .map(Agent::id).collect(Collectors.joining(", ")),
        config.transport(), config.namespace(), config.codec(),
        host.agents().size() == 1 ? "it" : "them");
    awaitTerminated(host.agents());
    for (Agent a : host.agents()) {
      log.info("{} is {}", a.id(), a.state());
    }
    // agents that ended on their own (a failed work loop) leave the bus open: close it, so that
    // the process ends; while the shutdown hook closes the host this returns at once
    host.close();
  }

  /**
   * The injector for {@code config}, with {@code overrides} replacing its bindings. Unless the JVM
   * sets it, this turns Guice's bytecode generation off ({@code
   * -Dguice_bytecode_gen_option=DISABLED}): AgentBus uses no method interception, and Guice 7's
   * generator calls {@code sun.misc.Unsafe}, which JDK 24 and newer warn about at startup. A
   * project that binds interceptors sets {@code -Dguice_bytecode_gen_option=ENABLED}.
   */
  public static Injector injector(AgentBusConfig config, Module... overrides) {
    if (System.getProperty(GUICE_BYTECODE_GEN) == null) {
      System.setProperty(GUICE_BYTECODE_GEN, "DISABLED");
    }
    return Guice.createInjector(Modules.override(new AgentBusModule(config)).with(overrides));
  }

  /**
   * Starts {@code agents}, made by {@code injector}, on its {@link AgentHost}, and returns the host:
   * closing it stops the agents and closes the bus. If they do not all start, closes the host
   * and throws.
   *
   * @throws TimeoutException if they are not all running within {@link #START_TIMEOUT}
   * @throws RuntimeException what creating or starting them threw
   */
  @SafeVarargs
  public static AgentHost start(Injector injector, Class<? extends Agent>... agents)
      throws TimeoutException {
    AgentHost host = injector.getInstance(AgentHost.class);
    try {
      Agent[] made = new Agent[agents.length];
      for (int i = 0; i < agents.length; i++) {
        made[i] = injector.getInstance(agents[i]);
      }
      host.start(START_TIMEOUT, made);
    } catch (TimeoutException | RuntimeException e) {
      host.close();
      throw e;
    }
    return host;
  }

  /** The key of the NATS connection's name (the transport's {@code connection-name} setting). */
  static final String CONNECTION_NAME_KEY = "agentbus.nats.connection-name";

  /**
   * What {@link #run(Class[])} puts below every configured value: a NATS connection name that says
   * which agents the connection serves, {@code agentbus-<host>-<pid>[<agent ids>]}, so that the
   * server's {@code /connz} and its logs name them (the connection opens before the agents exist,
   * so the ids come from each class's {@code static final String ID} constant, as the archetype
   * declares it, or else its simple name). {@code AGENTBUS_NATS_CONNECTION_NAME} still wins.
   */
  static Map<String, String> applicationDefaults(Class<?>[] agents) {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException | RuntimeException e) {
      host = "unknown-host";
    }
    String ids = Arrays.stream(agents).map(AgentApplication::declaredId)
        .collect(Collectors.joining(","));
    return Map.of(CONNECTION_NAME_KEY,
        "agentbus-" + host + "-" + ProcessHandle.current().pid() + "[" + ids + "]");
  }

  private static String declaredId(Class<?> agent) {
    try {
      Field id = agent.getDeclaredField("ID");
      if (Modifier.isStatic(id.getModifiers()) && id.getType() == String.class) {
        id.setAccessible(true);
        Object value = id.get(null);
        if (value instanceof String s && !s.isBlank()) {
          return s;
        }
      }
    } catch (NoSuchFieldException | IllegalAccessException | RuntimeException e) {
      // no declared id: the class name says enough
    }
    return agent.getSimpleName();
  }

  /** What to tell a person about a failure to start: the first message that explains it. */
  static String reason(Throwable e) {
    Throwable t = e;
    while ((t instanceof ProvisionException || t instanceof CreationException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ProvisionException || t instanceof CreationException) {
      // no single cause: Guice's first message, without its numbered legend
      String m = t.getMessage();
      int end = m == null ? -1 : m.indexOf('\n', m.indexOf('\n') + 1);
      return end < 0 ? String.valueOf(m) : m.substring(0, end).trim();
    }
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.toString() : m;
  }

  /** Tells the person why the agents did not start, in one line, and ends the process. */
  private static void exitBecause(Class<?>[] agents, Throwable e) {
    System.err.println(Arrays.stream(agents).map(Class::getSimpleName)
        .collect(Collectors.joining(", ")) + " did not start: " + reason(e));
    System.exit(1);
  }

  private static void awaitTerminated(List<Agent> agents) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(agents.size());
    for (Agent a : agents) {
      AtomicBoolean counted = new AtomicBoolean();
      Runnable countOnce = () -> {
        if (counted.compareAndSet(false, true)) {
          stopped.countDown();
        }
      };
      a.addListener((agent, from, to, failure) -> {
        if (to.isTerminal()) {
          countOnce.run();
        }
      });
      if (a.state().isTerminal()) {
        countOnce.run(); // stopped before the listener was added
      }
    }
    stopped.await();
  }
}
