package io.agentbus.agent.config;

/**
 * Where a setting of {@link AgentBusConfig} came from, lowest precedence first: a source wins over
 * every source before it.
 */
public enum ConfigSource {
  /** {@link ConfigKey#defaultValue()}. */
  BUILT_IN_DEFAULT,
  /** {@link AgentBusConfig.Loader#defaults}. */
  APPLICATION_DEFAULT,
  /** The {@code agentbus.properties} classpath resource. */
  CLASSPATH_RESOURCE,
  /** The file named by {@code agentbus.config.file} or {@link AgentBusConfig.Loader#file}. */
  FILE,
  /** An environment variable. */
  ENVIRONMENT,
  /** A system property. */
  SYSTEM_PROPERTY
}
