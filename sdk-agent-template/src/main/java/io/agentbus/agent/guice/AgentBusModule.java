package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.MessageBus;
import io.agentbus.agent.AgentContext;
import io.agentbus.agent.AgentHost;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.monitor.OrchestratorMonitor;
import io.agentbus.codec.json.JsonCodec;
import io.agentbus.codec.protobuf.ProtobufCodec;
import io.agentbus.spi.Codec;
import io.agentbus.spi.Transport;
import io.agentbus.time.Scheduler;
import java.util.Objects;

/**
 * Everything an agent process needs, chosen by {@link AgentBusConfig}: installs {@link
 * InMemoryTransportModule} or {@link NatsTransportModule} ({@code agentbus.transport}), {@link
 * JsonCodecModule} or {@link ProtobufCodecModule} ({@code agentbus.codec}), and binds
 *
 * <ul>
 *   <li>{@link AgentBusConfig}: the configuration;
 *   <li>{@link Scheduler}: {@link Scheduler#system()} (override it in tests with {@code
 *       Modules.override(...).with(b -> b.bind(Scheduler.class).toInstance(virtualTime))});
 *   <li>{@link MessageBus}: one per injector, on the bound transport and codec, decoding both JSON
 *       and Protobuf whatever the primary codec, so that the seed's header-less JSON messages and
 *       agents configured with the other codec are understood;
 *   <li>{@link AgentContext}: the bus, scheduler, heartbeat interval and drain timeout, for {@code
 *       AbstractAgent} constructors (without a per-agent shutdown hook);
 *   <li>{@link AgentHost}: owns the bus; close it to stop the agents and the connection. With
 *       {@code agentbus.shutdown-hook} on (the default), its JVM shutdown hook does that at exit,
 *       for the agents it started or was given with {@link AgentHost#register};
 *   <li>{@link OrchestratorMonitor.Builder}: a fresh builder preset with the bus, scheduler and
 *       {@code agentbus.monitor.dead-after}.
 * </ul>
 *
 * <p>Switching from in-memory to NATS is a configuration change; no agent code changes. The module
 * only binds: nothing connects until the {@link MessageBus} is first provisioned.
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
    install(transportModule(config));
    install(codecModule(config));
  }

  /** The transport module {@code config} selects. */
  public static Module transportModule(AgentBusConfig config) {
    return switch (config.transport()) {
      case INMEMORY -> new InMemoryTransportModule();
      case NATS -> new NatsTransportModule();
    };
  }

  /** The codec module {@code config} selects. */
  public static Module codecModule(AgentBusConfig config) {
    return switch (config.codec()) {
      case JSON -> new JsonCodecModule();
      case PROTOBUF -> new ProtobufCodecModule();
    };
  }

  @Provides
  @Singleton
  Scheduler scheduler() {
    return Scheduler.system();
  }

  @Provides
  @Singleton
  MessageBus messageBus(Transport transport, Codec codec, Scheduler scheduler,
      AgentBusConfig config) {
    return MessageBus.builder()
        .transport(transport)
        .codec(codec)
        // decode what any agent sends: the seed's Python agents send JSON, other Java agents
        // may be configured with the other codec; neither needs a Content-Type header
        // (registering the primary codec again changes nothing)
        .additionalCodecs(JsonCodec.create(), ProtobufCodec.create())
        .namespace(config.namespace())
        .scheduler(scheduler)
        .defaultRequestTimeout(config.requestTimeout())
        .build();
  }

  @Provides
  @Singleton
  AgentContext agentContext(MessageBus bus, Scheduler scheduler, AgentBusConfig config) {
    return AgentContext.builder(bus)
        .scheduler(scheduler)
        .heartbeatInterval(config.heartbeatInterval())
        .drainTimeout(config.drainTimeout())
        // the host's hook stops the agents, in order; per-agent hooks would stop them all at once
        .shutdownHook(false)
        .build();
  }

  @Provides
  @Singleton
  AgentHost agentHost(MessageBus bus, AgentBusConfig config) {
    return AgentHost.create(bus, config.drainTimeout().multipliedBy(3), config.shutdownHook());
  }

  @Provides
  OrchestratorMonitor.Builder monitorBuilder(MessageBus bus, Scheduler scheduler,
      AgentBusConfig config) {
    return OrchestratorMonitor.builder(bus)
        .scheduler(scheduler)
        .deadAfter(config.deadAfter())
        .drainTimeout(config.drainTimeout());
  }
}
