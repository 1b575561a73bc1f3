package io.agentbus.agent.discovery;

import io.agentbus.MessageType;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * What an agent says about itself in its {@code io.nats.micro.v1.info_response}, or, for an agent
 * that only heartbeats (such as the seed's Python agents), that it is alive.
 *
 * @param agentId the agent's id (the service's {@code name})
 * @param instanceId the id of this running instance (the service's {@code id}); empty when known
 *     only from heartbeats
 * @param version the agent's version (semantic versioning); empty when known only from heartbeats
 * @param description what the agent says it does
 * @param metadata the service's metadata: {@link AgentService#TEAMS}, {@link
 *     AgentService#MESSAGE_TYPES}, {@link AgentService#BROADCASTS}, {@link AgentService#QUEUES},
 *     {@link AgentService#SDK_VERSION}, {@link AgentService#CODEC}, ...
 * @param endpoints the subjects it handles messages on
 * @param source whether it answered discovery or is known from heartbeats only
 */
public record AgentInfo(String agentId, String instanceId, String version, String description,
    Map<String, String> metadata, List<Endpoint> endpoints, Source source) {

  /** Where the directory learnt of an agent. */
  public enum Source {
    /** It answered {@code $SRV.INFO}. */
    DISCOVERY,
    /** It does not answer discovery, but heartbeats tell it is alive. */
    HEARTBEAT
  }

  /**
   * One subject an agent handles messages on.
   *
   * @param name the endpoint's name: a message type, or {@code broadcast-<type>}, {@code
   *     queue-<name>}
   * @param subject the subject it listens on
   * @param queueGroup its queue group (work queues), or null
   * @param metadata {@code kind} ({@code direct}, {@code broadcast}, {@code queue}) and, for
   *     direct and broadcast endpoints, {@code message_type}
   */
  public record Endpoint(String name, String subject, @Nullable String queueGroup,
      Map<String, String> metadata) {
    public Endpoint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(subject, "subject");
      metadata = Map.copyOf(metadata);
    }
  }

  public AgentInfo {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(source, "source");
    metadata = Map.copyOf(metadata);
    endpoints = List.copyOf(endpoints);
  }

  /** The teams the agent belongs to. */
  public Set<String> teams() {
    return list(AgentService.TEAMS);
  }

  /** The message types it handles when addressed to it (directly or through a team). */
  public Set<MessageType> messageTypes() {
    return types(AgentService.MESSAGE_TYPES);
  }

  /** The broadcast types it listens to. */
  public Set<MessageType> broadcasts() {
    return types(AgentService.BROADCASTS);
  }

  /** The work queues it serves. */
  public Set<String> queues() {
    return list(AgentService.QUEUES);
  }

  /** True when it handles {@code type} addressed to it, or listens to its broadcasts. */
  public boolean handles(MessageType type) {
    return messageTypes().contains(type) || broadcasts().contains(type);
  }

  private Set<MessageType> types(String key) {
    return list(key).stream().map(MessageType::of)
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private Set<String> list(String key) {
    String v = metadata.get(key);
    if (v == null || v.isEmpty()) {
      return Set.of();
    }
    return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }
}
