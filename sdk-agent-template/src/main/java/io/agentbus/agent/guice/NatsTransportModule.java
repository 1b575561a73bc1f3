package io.agentbus.agent.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.agentbus.agent.config.AgentBusConfig;
import io.agentbus.agent.config.ConfigSource;
import io.agentbus.spi.Transport;
import io.agentbus.transport.nats.NatsTransport;
import io.agentbus.transport.nats.NatsTransportConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@link Transport} to a {@link NatsTransport}, configured from the bound {@link
 * AgentBusConfig}: its {@code agentbus.nats.*} settings (among them {@code agentbus.nats.url}, or
 * {@code NATS_URL}) and its {@code AGENTBUS_NATS_*} environment variables, with the usual
 * precedence (system properties, then environment variables, then files). {@link
 * NatsTransportConfig} documents every setting and rejects unknown ones.
 *
 * <p>Binding connects nothing: the connection is made when the transport is first provisioned
 * (with the {@link io.agentbus.MessageBus}), and a server that cannot be reached fails that
 * provisioning with the transport's error. The one connection is shared by every agent of the
 * injector and closed with the bus.
 */
public final class NatsTransportModule extends AbstractModule {

  @Provides
  @Singleton
  Transport transport(AgentBusConfig config) {
    return NatsTransport.connect(natsConfig(config));
  }

  /**
   * The NATS settings of {@code config}.
   *
   * @throws io.agentbus.ConfigurationException if one is unknown or invalid
   */
  public static NatsTransportConfig natsConfig(AgentBusConfig config) {
    Map<String, String> env = new HashMap<>();
    config.environment().forEach((name, value) -> {
      if (name.startsWith(NatsTransportConfig.Key.ENV_PREFIX)) {
        env.put(name, value);
      }
    });
    Properties props = new Properties();
    config.properties(NatsTransportConfig.Key.PROPERTY_PREFIX).forEach((key, value) -> {
      // NatsTransportConfig lets a property win over its variable; here only system properties
      // may: a file or a default yields to the environment
      boolean envWins = env.containsKey(environmentVariable(key))
          && config.sourceKindOf(key).compareTo(ConfigSource.ENVIRONMENT) < 0;
      if (!envWins) {
        props.setProperty(key, value);
      }
    });
    return NatsTransportConfig.fromEnvironment(env, props);
  }

  private static String environmentVariable(String property) {
    for (NatsTransportConfig.Key k : NatsTransportConfig.Key.values()) {
      if (k.property().equals(property)) {
        return k.environmentVariable();
      }
    }
    return "";
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof NatsTransportModule;
  }

  @Override
  public int hashCode() {
    return NatsTransportModule.class.hashCode();
  }
}
