package io.agentbus.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import io.agentbus.MessageBus;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.discovery.AgentDirectory;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.spi.Codec;
import io.agentbus.spi.MessageInterceptor;
import io.agentbus.spi.Transport;
import io.agentbus.time.Scheduler;
import java.util.Objects;
import java.util.Set;

/**
 * Everything an agent process needs, as {@link AgentBusConfig} describes it; the configuration
 * does the mapping ({@link AgentBusConfig#messageBusBuilder}, {@link
 * AgentBusConfig#agentContextBuilder}, ...), this module only binds:
 *
 * <ul>
 *   <li>{@link AgentBusConfig}: the configuration;
 *   <li>{@link Transport} and {@link Codec}: created by the providers {@code agentbus.transport}
 *       and {@code agentbus.codec} name, whose modules must be on the classpath;
 *   <li>{@link Scheduler}: {@link Scheduler#system()} (override it in tests with {@code
 *       Modules.override(...).with(b -> b.bind(Scheduler.class).toInstance(virtualTime))});
 *   <li>{@code Set<MessageInterceptor>}: empty here; another module adds to it with {@code
 *       Multibinder.newSetBinder(binder(), MessageInterceptor.class).addBinding().to(...)};
 *   <li>{@link MessageBus}: one per injector, on the bound transport and codec, with the
 *       configured queues and histories, decoding every codec on the classpath, with the bound
 *       scheduler and interceptors;
 *   <li>{@link AgentContext}: the bus, scheduler, heartbeat interval and drain timeout, for {@code
 *       AbstractAgent} constructors (without a per-agent shutdown hook);
 *   <li>{@link AgentHost}: owns the bus; close it to stop the agents and the connection. With
 *       {@code agentbus.shutdown-hook} on (the default), its JVM shutdown hook does that at exit;
 *   <li>{@link OrchestratorMonitor.Builder}: a fresh builder preset with the bus, scheduler,
 *       {@code agentbus.monitor.dead-after}, {@code max-agents}, {@code retention} and drain
 *       timeout;
 *   <li>{@link AgentDirectory}: lists the agents on the bus through discovery ({@code $SRV.INFO}).
 * </ul>
 *
 * <p>Switching from in-memory to NATS is a configuration change; no agent code changes. Nothing
 * connects until the {@link MessageBus} (or {@link Transport}) is first provisioned; a transport
 * whose bus then fails to build is closed again.
 */
public final class AgentBusModule extends AbstractModule {
  private final AgentBusConfig config;

  /** A module for {@code config}. */
  public AgentBusModule(AgentBusConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * A module for the configuration {@link AgentBusConfig#load()} reads from the system
   * properties, the environment and {@code agentbus.properties}.
   *
   * @throws io.agentbus.ConfigurationException if a value is unknown or invalid
   */
  public static AgentBusModule fromEnvironment() {
    return new AgentBusModule(AgentBusConfig.load());
  }

  /** The configuration this module binds. */
  public AgentBusConfig config() {
    return config;
  }

  @Override
  protected void configure() {
    bind(AgentBusConfig.class).toInstance(config);
    Multibinder.newSetBinder(binder(), MessageInterceptor.class);
  }

  @Provides
  @Singleton
  Scheduler scheduler() {
    return Scheduler.system();
  }

  @Provides
  @Singleton
  Transport transport() {
    return config.newTransport();
  }

  @Provides
  @Singleton
  Codec codec() {
    return config.newCodec();
  }

  @Provides
  @Singleton
  MessageBus messageBus(Transport transport, Codec codec, Scheduler scheduler,
      Set<MessageInterceptor> interceptors) {
    try {
      MessageBus.Builder b = config.messageBusBuilder(transport, codec).scheduler(scheduler);
      interceptors.forEach(b::addInterceptor);
      return b.build();
    } catch (RuntimeException e) {
      transport.close(); // nobody else owns it yet
      throw e;
    }
  }

  @Provides
  @Singleton
  AgentContext agentContext(MessageBus bus, Scheduler scheduler) {
    return config.agentContextBuilder(bus).scheduler(scheduler).build();
  }

  @Provides
  @Singleton
  AgentHost agentHost(MessageBus bus) {
    return config.newAgentHost(bus);
  }

  @Provides
  OrchestratorMonitor.Builder monitorBuilder(MessageBus bus, Scheduler scheduler) {
    return config.monitorBuilder(bus).scheduler(scheduler);
  }

  @Provides
  @Singleton
  AgentDirectory agentDirectory(MessageBus bus) {
    return AgentDirectory.of(bus);
  }
}
